import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { keepFocusOnScreen } from "./focus";

let stop: () => void;

beforeEach(() => {
  stop = keepFocusOnScreen();
});

afterEach(() => {
  stop();
  document.body.innerHTML = "";
});

const settled = () => new Promise((r) => setTimeout(r, 0));

describe("keepFocusOnScreen", () => {
  it("moves the focus to the row's next control when its focused button is replaced", async () => {
    document.body.innerHTML = `<main><h1>Organizations</h1><div class="row"><button id="make">Make active</button><button id="edit">Edit</button></div></main>`;
    document.getElementById("make")!.focus();
    document.getElementById("make")!.replaceWith(Object.assign(document.createElement("span"), { textContent: "Active" }));
    await settled();
    expect(document.activeElement?.id).toBe("edit");
  });

  it("moves the focus to the new screen's heading when the whole screen is replaced", async () => {
    document.body.innerHTML = `<main><section><form><button id="save">Save</button></form></section></main>`;
    document.getElementById("save")!.focus();
    document.querySelector("main")!.innerHTML = `<section><h1>Organizations</h1><button>Refresh</button></section>`;
    await settled();
    const heading = document.querySelector("h1")!;
    expect(document.activeElement).toBe(heading);
    expect(heading.tabIndex).toBe(-1); // reachable by script, not by Tab
  });

  it("moves the focus to the new screen's heading when it arrives after the old one is gone", async () => {
    document.body.innerHTML = `<div id="app"><form><button id="submit">Sign in</button></form></div>`;
    document.getElementById("submit")!.focus();
    document.getElementById("app")!.innerHTML = "";
    await settled();
    // The next screen's code is still loading: nothing to focus yet, and nothing is given the focus.
    expect(document.activeElement).toBe(document.body);
    document.getElementById("app")!.innerHTML = `<header><a href="#x">Organizations</a></header><main><h1>Hello, demo</h1></main>`;
    await settled();
    expect(document.activeElement).toBe(document.querySelector("h1"));
  });

  it("does not take the focus back once the person has put it somewhere", async () => {
    document.body.innerHTML = `<div id="app"><button id="submit">Sign in</button></div><button id="elsewhere">Help</button>`;
    document.getElementById("submit")!.focus();
    document.getElementById("app")!.innerHTML = "";
    await settled();
    document.getElementById("elsewhere")!.focus();
    document.getElementById("app")!.innerHTML = `<h1>Hello, demo</h1>`;
    await settled();
    expect(document.activeElement?.id).toBe("elsewhere");
  });

  it("leaves the focus alone when the new screen takes it itself", async () => {
    document.body.innerHTML = `<main><button id="old">Sign in</button></main>`;
    document.getElementById("old")!.focus();
    document.querySelector("main")!.innerHTML = `<h1>Hello</h1><input id="first">`;
    document.getElementById("first")!.focus();
    await settled();
    expect(document.activeElement?.id).toBe("first");
  });

  it("does nothing when the focus left an element that is still there", async () => {
    document.body.innerHTML = `<main><h1>Home</h1><button id="a">A</button><p id="text">text</p></main>`;
    document.getElementById("a")!.focus();
    document.getElementById("a")!.blur();
    document.getElementById("text")!.textContent = "changed";
    await settled();
    expect(document.activeElement).toBe(document.body);
  });
});
