/** The microphone chosen in settings, per installation (device ids are per machine and browser profile). */
const STORAGE_KEY = 'samia.microphone';

export function preferredMicrophone(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY) || null;
  } catch {
    return null;
  }
}

export function setPreferredMicrophone(deviceId: string | null) {
  if (deviceId) localStorage.setItem(STORAGE_KEY, deviceId);
  else localStorage.removeItem(STORAGE_KEY);
}

/**
 * What getUserMedia is asked for. The id is a preference, not `exact`: a chosen microphone that was
 * unplugged falls back to the default one instead of refusing to record.
 */
export function microphoneConstraints(): MediaStreamConstraints {
  const deviceId = preferredMicrophone();
  return { audio: deviceId ? { deviceId } : true };
}

export interface MicrophoneOption {
  deviceId: string;
  label: string;
}

/** The audio inputs; labels are empty until the user has allowed the microphone once. */
export async function listMicrophones(): Promise<MicrophoneOption[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.filter((d) => d.kind === 'audioinput' && d.deviceId).map((d) => ({ deviceId: d.deviceId, label: d.label }));
}
