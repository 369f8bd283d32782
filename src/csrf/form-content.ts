/** Whether a request body is an HTML form submission (the only bodies Hono / Web adapters parse for a token). */
export function isFormContent(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(';', 1)[0]?.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data';
}
