/** `npm run export`: placeholder until the static export lands. */
export async function exportCommand(_env: Record<string, string | undefined>, _args: string[]): Promise<number> {
  console.error('export is not available yet');
  return 1;
}
