import { getContext, setContext } from 'svelte';
import type { AppState } from './app-state.svelte';

const KEY = Symbol('app-state');

export const setAppState = (state: AppState): AppState => setContext(KEY, state);
export const getAppState = (): AppState => getContext<AppState>(KEY);
