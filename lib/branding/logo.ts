import type { LogoType } from "./defaults";

export const LOGO_MAX_BYTES = 200 * 1024;
const PNG_MIN_SIDE = 16;
const PNG_MAX_SIDE = 2048;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export type LogoUpload = { bytes: Uint8Array; /** the file's name as uploaded (its extension is checked against the content) */ filename?: string; type?: string };
export type CheckedLogo = { ok: true; bytes: Buffer; type: LogoType } | { ok: false; message: string };

/** What the upload says it is, from its name or its declared type; null when it says nothing. */
function declaredType(upload: LogoUpload): LogoType | "other" | null {
  const ext = upload.filename?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  if (ext) return ext === "svg" ? "image/svg+xml" : ext === "png" ? "image/png" : "other";
  if (upload.type) return upload.type === "image/svg+xml" || upload.type === "image/png" ? upload.type : "other";
  return null;
}

const isPng = (b: Uint8Array) => PNG_SIGNATURE.every((v, i) => b[i] === v);

/**
 * Checks a logo by its bytes, never by its name alone: a PNG (signature, IHDR, sane size) or an
 * SVG (an <svg> document with nothing that runs or loads: no script, event handlers, javascript:
 * links, foreignObject, external references or DTD). The name must agree with the content.
 */
export function checkLogo(upload: LogoUpload): CheckedLogo {
  const { bytes } = upload;
  if (bytes.byteLength === 0) return { ok: false, message: "The logo file is empty. Choose an SVG or PNG file." };
  if (bytes.byteLength > LOGO_MAX_BYTES) {
    return { ok: false, message: `The logo is ${Math.ceil(bytes.byteLength / 1024)} KB; the limit is 200 KB. Export it smaller (an SVG, or a PNG at most 2048 px wide).` };
  }
  const declared = declaredType(upload);
  if (declared === "other") return { ok: false, message: "The logo must be an SVG or PNG file." };
  const actual: LogoType | null = isPng(bytes) ? "image/png" : looksLikeSvg(bytes) ? "image/svg+xml" : null;
  if (!actual) return { ok: false, message: "This file is neither a PNG nor an SVG image. Choose an SVG or PNG file." };
  if (declared && declared !== actual) {
    const [says, is] = declared === "image/png" ? ["PNG", "SVG"] : ["SVG", "PNG"];
    return { ok: false, message: `This file is named as a ${says} but is a ${is} image. Save it with the right extension and upload it again.` };
  }
  const problem = actual === "image/png" ? pngProblem(bytes) : svgProblem(bytes);
  if (problem) return { ok: false, message: problem };
  return { ok: true, bytes: Buffer.from(bytes), type: actual };
}

function pngProblem(b: Uint8Array): string | null {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const chunk = String.fromCharCode(...b.subarray(12, 16));
  if (b.byteLength < 33 || chunk !== "IHDR") return "This PNG file is damaged (no image header). Export it again.";
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width < PNG_MIN_SIDE || height < PNG_MIN_SIDE || width > PNG_MAX_SIDE || height > PNG_MAX_SIDE) {
    return `This PNG is ${width} × ${height} px; a logo must be between ${PNG_MIN_SIDE} and ${PNG_MAX_SIDE} px on each side.`;
  }
  return null;
}

function svgText(b: Uint8Array) {
  return new TextDecoder("utf-8", { fatal: false }).decode(b);
}

function looksLikeSvg(b: Uint8Array) {
  return /<svg[\s>]/i.test(svgText(b).slice(0, 4096));
}

const SVG_FORBIDDEN: [RegExp, string][] = [
  [/<script/i, "a <script>"],
  [/<!DOCTYPE|<!ENTITY/i, "a DOCTYPE or entity"],
  // After a space, a slash or a quote: `<svg/onload=…>` and `x="1"onload=…` are handlers too.
  [/[\s/"']on[a-z]+\s*=/i, "an event handler (on…=)"],
  [/javascript:/i, "a javascript: link"],
  // SMIL can set a link after load (`<set attributeName="href" to="javascript:…">`).
  [/attributeName\s*=\s*["']\s*(?:xlink:)?href/i, "an animated link"],
  [/image-set\s*\(/i, "a reference to another file (image-set())"],
  [/<foreignObject/i, "a <foreignObject>"],
  [/<(iframe|embed|object)\b/i, "an embedded document"],
  [/(?:href|src)\s*=\s*["']\s*(?!#|data:image\/(?:png|jpeg|gif|webp);)/i, "a reference to another file"],
  [/url\(\s*["']?\s*(?!#)/i, "a reference to another file (url())"],
  [/@import/i, "a stylesheet import"],
];

/**
 * The text as a browser reads it: character references decoded (`jav&#x61;script:` is javascript:),
 * and the tabs and line breaks a URL parser drops taken out of anything that looks like a scheme.
 */
function decodedSvgText(text: string) {
  const decoded = text
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => String.fromCodePoint(Math.min(parseInt(hex, 16), 0x10ffff)))
    .replace(/&#([0-9]+);?/g, (_, dec: string) => String.fromCodePoint(Math.min(parseInt(dec, 10), 0x10ffff)));
  return `${decoded}\n${decoded.replace(/[\t\n\r]/g, "")}`;
}

function svgProblem(b: Uint8Array): string | null {
  const text = decodedSvgText(svgText(b));
  for (const [pattern, what] of SVG_FORBIDDEN) {
    if (pattern.test(text)) return `This SVG contains ${what}, which a logo may not have. Export it as a plain drawing (or as a PNG) and upload it again.`;
  }
  return null;
}
