import type { PageSourceDefinition } from '../../src/catalog.js';
import { registerCodePages } from './command.js';
import { loadCodePages } from './load-code-pages.js';
import { CODE_PAGES_DIR } from './saved-page.js';

/** Third-party code pages saved under raw/code-pages/, decoded and reconciled with the card. */
export const codePagesSource: PageSourceDefinition = {
  source: CODE_PAGES_DIR,
  tables: [
    { name: 'code_page', key: ['file', 'field'] },
    { name: 'code_page_history', key: ['file', 'position'] },
    { name: 'code_page_refused', key: ['file'] },
    { name: 'reconciliation', key: ['file', 'hcpcs', 'field'] },
  ],
  load: ({ connection, rawDir, log }) => loadCodePages(connection, rawDir, log),
  registerCommands: registerCodePages,
};
