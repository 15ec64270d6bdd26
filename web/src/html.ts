import htm from 'htm';
import { h } from 'preact';

/** Tagged templates for preact (htm): no JSX build step, and the same code runs in the bundle. */
export const html = htm.bind(h);
