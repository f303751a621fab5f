/**
 * Google Drive download links. Large files do not download directly: Drive answers
 * with an HTML "can't scan this file for viruses" page whose form (or, on older
 * pages, a `confirm=` link or a `download_warning` cookie) leads to the file.
 */
import type { InterstitialPage } from './download.js';

/** Where Drive serves file contents today. */
export const GOOGLE_DRIVE_DOWNLOAD_BASE = 'https://drive.usercontent.google.com';

/**
 * The direct download URL of a shared Drive file (`confirm=t` skips the warning page
 * where Drive honours it).
 *
 * ```ts
 * googleDriveDownloadUrl('1UoE-XuW1SDLUjZmJPkIZ1MLxvQFgmTFH');
 * // 'https://drive.usercontent.google.com/download?id=1UoE-…&export=download&confirm=t'
 * ```
 */
export function googleDriveDownloadUrl(fileId: string, base: string = GOOGLE_DRIVE_DOWNLOAD_BASE): string {
  const u = new URL('download', base.endsWith('/') ? base : `${base}/`);
  u.searchParams.set('id', fileId);
  u.searchParams.set('export', 'download');
  u.searchParams.set('confirm', 't');
  return u.toString();
}

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|quot|apos|lt|gt|#39);/gi, (m, e: string) => {
    const k = e.toLowerCase();
    if (k === 'amp') return '&';
    if (k === 'quot') return '"';
    if (k === 'apos' || k === '#39') return "'";
    if (k === 'lt') return '<';
    if (k === 'gt') return '>';
    if (k.startsWith('#x')) return String.fromCodePoint(parseInt(k.slice(2), 16));
    if (k.startsWith('#')) return String.fromCodePoint(parseInt(k.slice(1), 10));
    return m;
  });
}

function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /([a-zA-Z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g;
  for (let m = re.exec(tag); m; m = re.exec(tag)) out.set(m[1]!.toLowerCase(), decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  return out;
}

/**
 * Finds the "download anyway" URL on a Drive warning page, or undefined when the
 * page has none (quota exceeded, access denied, …).
 *
 * ```ts
 * await downloadFile(googleDriveDownloadUrl(id), dest, { interstitial: googleDriveConfirmation });
 * ```
 */
export function googleDriveConfirmation(page: InterstitialPage): string | undefined {
  const { html, url } = page;
  // Current page: <form id="download-form" action="…/download" method="get"> with hidden inputs.
  const formRe = /<form\b([^>]*)>([\s\S]*?)<\/form>/gi;
  for (let m = formRe.exec(html); m; m = formRe.exec(html)) {
    const attrs = attributes(m[1]!);
    const inputs = [...m[2]!.matchAll(/<input\b([^>]*)>/gi)].map((i) => attributes(i[1]!));
    const hidden = inputs.filter((a) => (a.get('type') ?? '').toLowerCase() === 'hidden' && a.has('name'));
    const action = attrs.get('action');
    if (!action || !hidden.some((a) => a.get('name') === 'id' || a.get('name') === 'confirm')) continue;
    const target = new URL(action, url);
    for (const a of hidden) target.searchParams.set(a.get('name')!, a.get('value') ?? '');
    return target.toString();
  }
  // Older page: a link carrying confirm=<token>.
  const link = /href\s*=\s*"([^"]*[?&](?:amp;)?confirm=[^"]*)"/i.exec(html);
  if (link) return new URL(decodeEntities(link[1]!), url).toString();
  // Oldest: the token in a download_warning cookie.
  for (const [name, value] of page.cookies) {
    if (name.startsWith('download_warning')) {
      const target = new URL(url);
      target.searchParams.set('confirm', value);
      return target.toString();
    }
  }
  return undefined;
}
