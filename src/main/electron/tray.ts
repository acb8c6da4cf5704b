import { app, Menu, Tray, nativeImage, type BrowserWindow } from 'electron';

/** The tray icon: shows the unread and emergency count, and brings the window back. */
export class ConsoleTray {
  private readonly tray: Tray;

  constructor(iconPath: string, private readonly window: () => BrowserWindow | null) {
    this.tray = new Tray(nativeImage.createFromPath(iconPath));
    this.tray.setToolTip(app.getName());
    this.tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Show console', click: () => this.show() },
        { type: 'separator' },
        { label: 'Quit', role: 'quit' },
      ]),
    );
    this.tray.on('click', () => this.show());
  }

  setBadge(count: number): void {
    const label = count > 99 ? '99+' : count > 0 ? String(count) : '';
    // macOS shows a title beside the icon; Linux (Unity) and macOS have a dock/launcher badge; Windows has neither.
    if (process.platform === 'darwin') this.tray.setTitle(label);
    app.setBadgeCount(count);
    this.tray.setToolTip(count > 0 ? `${app.getName()} (${label})` : app.getName());
  }

  private show(): void {
    const win = this.window();
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  destroy(): void {
    this.tray.destroy();
  }
}
