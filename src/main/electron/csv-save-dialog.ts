import path from 'node:path';
import { app, dialog, type BrowserWindow, type SaveDialogOptions } from 'electron';
import { writeCsvFile } from '../figures/csv-file';

/** Asks where to save a CSV report (a sheet on the window, suggested in Documents), then writes it there. */
export async function saveCsvWithDialog(window: BrowserWindow | null, fileName: string, csv: string): Promise<{ saved: boolean; fileName: string | null }> {
  const options: SaveDialogOptions = {
    defaultPath: path.join(app.getPath('documents'), fileName),
    filters: [{ name: 'CSV', extensions: ['csv'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
  const result = window && !window.isDestroyed() ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  if (result.canceled || !result.filePath) return { saved: false, fileName: null };
  await writeCsvFile(result.filePath, csv);
  return { saved: true, fileName: path.basename(result.filePath) };
}
