// Prints the configuration the release workflow merges into tauri.conf.json with
// `tauri build --config`: the release update key (a public key, from a repository variable),
// the release feed (this repository's latest release) and, on Windows, the code-signing
// certificate. It refuses a tag that is not `v` + Cargo.toml's version: one version everywhere.
// Local and test builds never get this file, so they carry no release feed or key.
import { readFileSync } from 'node:fs';

const { REPOSITORY, REF_NAME, REF_TYPE, UPDATER_PUBKEY, WINDOWS_THUMBPRINT } = process.env;
const cargo = readFileSync(new URL('../Cargo.toml', import.meta.url), 'utf8');
const version = cargo.match(/^\[package\][^[]*?^version\s*=\s*"([^"]+)"/ms)?.[1];
if (!version) throw new Error('no [package] version in Cargo.toml');
if (REF_TYPE === 'tag' && REF_NAME !== `v${version}`) {
  console.error(`The tag ${REF_NAME} does not match Cargo.toml's version ${version} (expected v${version}).`);
  process.exit(1);
}
if (!REPOSITORY || !UPDATER_PUBKEY) {
  console.error('REPOSITORY and UPDATER_PUBKEY are needed (see docs/releasing.md).');
  process.exit(1);
}

const config = {
  bundle: { createUpdaterArtifacts: true },
  plugins: {
    updater: {
      pubkey: UPDATER_PUBKEY,
      endpoints: [`https://github.com/${REPOSITORY}/releases/latest/download/latest.json`],
    },
  },
};
if (WINDOWS_THUMBPRINT) {
  config.bundle.windows = {
    certificateThumbprint: WINDOWS_THUMBPRINT,
    digestAlgorithm: 'sha256',
    timestampUrl: 'http://timestamp.digicert.com',
  };
}
console.log(JSON.stringify(config, null, 2));
