/** Whether a file matches an exclude entry: an absolute path (the file, or a folder above it) or a glob (*, **, ?). */
import { sep } from 'node:path';

function globPattern(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function isExcluded(absolutePath: string, exclude: readonly string[]): boolean {
  const path = absolutePath.split(sep).join('/');
  return exclude.some((entry) => {
    const pattern = entry.split(sep).join('/');
    if (!/[*?]/.test(pattern)) return path === pattern || path.startsWith(pattern.endsWith('/') ? pattern : `${pattern}/`);
    return globPattern(pattern).test(path);
  });
}
