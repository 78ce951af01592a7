import { mount } from 'svelte';
import App from './components/App.svelte';
import NoBridge from './components/NoBridge.svelte';
import { findBridge } from './lib/bridge/bridge';
import { AppState } from './lib/state/app-state.svelte';
import { prefs } from './lib/state/prefs.svelte';

const target = document.getElementById('app')!;
const api = findBridge();
if (api) {
  void prefs.load(api);
  const state = new AppState(api);
  state.wire();
  void state.load();
  mount(App, { target, props: { app: state } });
} else {
  mount(NoBridge, { target });
}
