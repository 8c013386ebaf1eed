import { mount } from "svelte";
import App from "./App.svelte";
import { startEarly } from "./lib/session.svelte";
import { i18nReady } from "./lib/i18n.svelte";
import { markOs } from "./lib/platform";
import "./app.css";

// Start-up phases for the benchmark (bench/measure.py): every module has been evaluated.
performance.mark("oas:js-evaluated");

// Before the first style: the stylesheet picks the fonts by it.
markOs();

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");

// The first screen's data first (Rust answers in a few milliseconds) and the words of its language,
// then the app, built once as that screen; after 100 ms without an answer it is built anyway and
// shows its splash meanwhile.
void Promise.all([startEarly(100), i18nReady().catch(() => {})]).then(() => mount(App, { target }));
