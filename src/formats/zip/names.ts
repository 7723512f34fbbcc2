/** Which entry names a zip may hold: relative paths with forward slashes, no way out of the archive. */

/** Why `name` is not a safe entry name, or null when it is. */
export function unsafeNameReason(name: string): string | null {
  if (name.length === 0) return "an empty name";
  if (name.includes("\0")) return "a NUL character";
  if (name.includes("\\")) return "a backslash";
  if (name.startsWith("/")) return "an absolute path";
  if (/^[A-Za-z]:/.test(name)) return "a drive letter";
  if (name.split("/").some((part) => part === "..")) return "a '..' component";
  return null;
}
