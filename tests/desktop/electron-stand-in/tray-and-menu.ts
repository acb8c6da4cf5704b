import { EventEmitter } from 'node:events';
import type { NativeImage} from './native-image';
import { nativeImage } from './native-image';
import { called, requireReady, violation } from './runtime';

// Menu item roles and types as lib/browser/api/menu-item-roles.ts and menu-item.ts define them.
const ROLES = new Set([
  'about', 'close', 'copy', 'cut', 'delete', 'forcereload', 'front', 'help', 'hide', 'hideothers', 'minimize', 'paste',
  'pasteandmatchstyle', 'quit', 'redo', 'reload', 'resetzoom', 'selectall', 'services', 'recentdocuments',
  'clearrecentdocuments', 'showsubstitutions', 'togglesmartquotes', 'togglesmartdashes', 'toggletextreplacement',
  'startspeaking', 'stopspeaking', 'toggledevtools', 'togglefullscreen', 'undo', 'unhide', 'window', 'zoom', 'zoomin',
  'zoomout', 'togglespellchecker', 'appmenu', 'filemenu', 'editmenu', 'viewmenu', 'windowmenu', 'sharemenu',
]);
const TYPES = new Set(['normal', 'separator', 'submenu', 'checkbox', 'radio', 'header', 'palette']);

export interface MenuItemOptions {
  label?: string;
  role?: string;
  type?: string;
  click?: (item: MenuItem, window: unknown, event: unknown) => void;
  submenu?: MenuItemOptions[] | Menu;
  enabled?: boolean;
}

export class MenuItem {
  readonly label: string;
  readonly role: string | undefined;
  readonly type: string;
  readonly submenu: Menu | undefined;
  readonly enabled: boolean;
  private readonly onClick: MenuItemOptions['click'];

  constructor(options: MenuItemOptions) {
    this.role = options.role?.toLowerCase();
    if (this.role !== undefined && !ROLES.has(this.role)) throw violation(`Invalid menu item role: ${options.role}`);
    this.submenu = options.submenu instanceof Menu ? options.submenu : options.submenu ? Menu.buildFromTemplate(options.submenu) : undefined;
    this.type = options.type ?? (this.submenu ? 'submenu' : 'normal');
    if (!TYPES.has(this.type)) throw violation(`Unknown menu item type: ${this.type}`);
    if (this.type === 'submenu' && !this.submenu) throw violation('Invalid submenu');
    this.label = options.label ?? (this.role ? this.role : '');
    this.enabled = options.enabled ?? true;
    this.onClick = options.click;
  }

  /** What clicking the item does: its own handler, or its role's (here, only `quit` matters to the app). */
  click(): void {
    if (!this.enabled) return;
    if (this.onClick) {
      this.onClick(this, null, {});
      return;
    }
    if (this.role === 'quit') menuRoleQuit();
  }
}

let menuRoleQuit: () => void = () => {};
export function setQuitRole(quit: () => void): void {
  menuRoleQuit = quit;
}

export class Menu extends EventEmitter {
  readonly items: MenuItem[] = [];
  private static applicationMenu: Menu | null = null;

  static buildFromTemplate(template: (MenuItemOptions | MenuItem)[]): Menu {
    called('Menu.buildFromTemplate');
    if (!Array.isArray(template)) throw violation('Invalid template for Menu: Menu template must be an array', TypeError);
    const menu = new Menu();
    for (const entry of template) {
      if (entry instanceof MenuItem) {
        menu.items.push(entry);
        continue;
      }
      if (typeof entry !== 'object' || entry === null || !('label' in entry || 'role' in entry || 'type' in entry)) {
        throw violation('Invalid template for MenuItem: must have at least one of label, role or type', TypeError);
      }
      menu.items.push(new MenuItem(entry));
    }
    return menu;
  }

  static setApplicationMenu(menu: Menu | null): void {
    called('Menu.setApplicationMenu');
    Menu.applicationMenu = menu;
  }

  static getApplicationMenu(): Menu | null {
    return Menu.applicationMenu;
  }

  append(item: MenuItem): void {
    this.items.push(item);
  }
}

export const trays: Tray[] = [];

/** Stands in for Electron's Tray: refused before ready ("Cannot create Tray before app is ready"), dead after destroy(). */
export class Tray extends EventEmitter {
  image: NativeImage;
  tooltip = '';
  title = '';
  menu: Menu | null = null;
  private destroyed = false;

  constructor(image: NativeImage | string) {
    super();
    requireReady('new Tray', 'Cannot create Tray before app is ready');
    this.image = typeof image === 'string' ? nativeImage.createFromPath(image) : image;
    trays.push(this);
  }

  private alive(): void {
    if (this.destroyed) throw violation('Tray is destroyed');
  }

  setToolTip(tooltip: string): void {
    this.alive();
    this.tooltip = tooltip;
  }

  setTitle(title: string): void {
    this.alive();
    this.title = title;
  }

  setImage(image: NativeImage | string): void {
    this.alive();
    this.image = typeof image === 'string' ? nativeImage.createFromPath(image) : image;
  }

  setContextMenu(menu: Menu | null): void {
    this.alive();
    this.menu = menu;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  destroy(): void {
    this.destroyed = true;
  }
}
