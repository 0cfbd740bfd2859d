import { statfsSync } from 'node:fs';
import { freemem } from 'node:os';

/** Whether this machine has what an in-memory runtime directory needs (Linux, a tmpfs /dev/shm, 2 GiB free there and in all). */
export function memoryFits(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const memory = statfsSync('/dev/shm');
    return memory.type === 0x01021994 && memory.bavail * memory.bsize >= 2 * 1024 ** 3 && freemem() >= 2 * 1024 ** 3;
  } catch {
    return false;
  }
}
