// Renders resources/icon.svg to the PNG sizes the packagers and the tray use, and resources/tray-template.svg
// to macOS's menu-bar template images (black and alpha; `Template` in the name, @2x for Retina), with
// Debian's Chromium. Run by hand after changing an SVG: node scripts/render-icons.mjs
import { readFileSync } from 'node:fs';
import { chromium } from '@playwright/test';

const icon = readFileSync('resources/icon.svg', 'utf8');
const template = readFileSync('resources/tray-template.svg', 'utf8');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
for (const [svg, size, file] of [
  [icon, 512, 'resources/icon.png'],
  [icon, 32, 'resources/tray.png'],
  [template, 18, 'resources/trayTemplate.png'],
  [template, 36, 'resources/trayTemplate@2x.png'],
]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('width="512" height="512"', `width="${size}" height="${size}"`)}</body></html>`);
  await page.screenshot({ path: file, omitBackground: true });
  await page.close();
}
await browser.close();
