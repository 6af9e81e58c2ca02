import type { PageSourceDefinition } from '../../src/catalog.js';
import { registerCodePages } from './command.js';
import { loadCodePages } from './load-code-pages.js';
import { CODE_PAGES_DIR } from './saved-page.js';

/** Third-party code pages saved under raw/code-pages/, decoded and reconciled with the card. */
export const codePagesSource: PageSourceDefinition = {
  source: CODE_PAGES_DIR,
  tables: [
    { name: 'code_page', key: [] },
    { name: 'code_page_history', key: [] },
    { name: 'code_page_refused', key: [] },
    { name: 'reconciliation', key: [] },
  ],
  load: ({ connection, rawDir, log }) => loadCodePages(connection, rawDir, log),
  registerCommands: registerCodePages,
};
