// The parts of the app the first screen (sign-in) never shows, each loaded when first needed: the
// signed-in shell while the password is checked or the session restored, its screens when opened
// (and in the background a second after a session begins), the server manager and the update
// prompt when they appear. Nothing before the first paint waits for them, and the sign-in screen
// never holds them in memory.
type Shell = typeof import("../screens/Shell.svelte").default;

class Loaded {
  shell = $state.raw<Shell | null>(null);
}
const loaded = new Loaded();

/** The signed-in shell once it is loaded (null before): the first build after a restore is the
 * screen itself, because start-up loads it before mounting (session.svelte.ts). */
export const loadedShell = (): Shell | null => loaded.shell;

export async function loadShell(): Promise<Shell> {
  if (!loaded.shell) {
    const shell = (await import("../screens/Shell.svelte")).default;
    loaded.shell = shell;
  }
  return loaded.shell;
}

export const loadOrganisationsScreen = () => import("../screens/Organisations.svelte");
export const loadAccount = () => import("../screens/Account.svelte");
export const loadAbout = () => import("../screens/About.svelte");
export const loadImport = () => import("../screens/Import.svelte");
export const loadManageServers = () => import("./components/ManageServers.svelte");
export const loadUpdatePrompt = () => import("./components/UpdatePrompt.svelte");
