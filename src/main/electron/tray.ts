import path from 'node:path';
import { app, Menu, Tray, nativeImage, type NativeImage } from 'electron';

export interface ConsoleTrayActions {
  /** Brings the most recently used console window back (restored and focused). */
  show(): void;
  /** Opens another console window, for a second person signing in on this machine. */
  newWindow(): void;
}

/**
 * The tray icon's image. macOS draws menu-bar icons itself from a black-and-alpha *template* image (so it
 * follows the light and dark menu bar); `trayTemplate.png` and its `@2x` sibling are picked up by name.
 * Windows and Linux show the coloured icon.
 */
export function trayImage(resourcesDir: string): NativeImage {
  if (process.platform === 'darwin') {
    const image = nativeImage.createFromPath(path.join(resourcesDir, 'trayTemplate.png'));
    image.setTemplateImage(true);
    return image;
  }
  return nativeImage.createFromPath(path.join(resourcesDir, 'tray.png'));
}

/** The tray icon: shows the unread and emergency count, and brings the window back. Create it after `ready`. */
export class ConsoleTray {
  private readonly tray: Tray;
  private destroyed = false;
  private unreadLabel = '';
  private pendingReviewsText = '';

  constructor(image: NativeImage, actions: ConsoleTrayActions) {
    this.tray = new Tray(image);
    this.tray.setToolTip(app.getName());
    this.tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Show console', click: () => actions.show() },
        { label: 'New window', click: () => actions.newWindow() },
        { type: 'separator' },
        { label: 'Quit', role: 'quit' },
      ]),
    );
    this.tray.on('click', () => actions.show());
  }

  /** The count beside the icon (macOS) and in its tooltip; the dock, launcher and taskbar are the alert platform's. */
  setBadge(count: number): void {
    if (this.destroyed) return;
    const label = count > 99 ? '99+' : count > 0 ? String(count) : '';
    if (process.platform === 'darwin') this.tray.setTitle(label);
    this.unreadLabel = label;
    this.updateToolTip();
  }

  /** Voice notes waiting for review, as a line of the tooltip (the text comes translated from src/main/alerts). */
  setPendingReviews(text: string): void {
    if (this.destroyed) return;
    this.pendingReviewsText = text;
    this.updateToolTip();
  }

  private updateToolTip() {
    const first = this.unreadLabel ? `${app.getName()} (${this.unreadLabel})` : app.getName();
    this.tray.setToolTip(this.pendingReviewsText ? `${first}\n${this.pendingReviewsText}` : first);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.tray.destroy();
  }
}
