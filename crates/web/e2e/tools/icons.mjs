#!/usr/bin/env node
// Renders the app icon (assets/icons/icon.svg) to the PNGs the manifest lists for installing:
// 192 and 512 px, the glyph inside the maskable safe zone on a full-bleed background.
//
//   node crates/web/e2e/tools/icons.mjs
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../lib/browser.mjs';

const icons = fileURLToPath(new URL('../../assets/icons/', import.meta.url));
const svg = readFileSync(`${icons}icon.svg`, 'utf8');
const BACKGROUND = '#2f7d5b';

const browser = await launchBrowser();
try {
  for (const size of [192, 512]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const glyph = Math.round(size * 0.8);
    await page.setContent(
      `<body style="margin:0;background:${BACKGROUND}"><div style="width:${size}px;height:${size}px;display:grid;place-items:center">` +
        `${svg.replace('<svg ', `<svg width="${glyph}" height="${glyph}" `)}</div></body>`,
    );
    await page.screenshot({ path: `${icons}icon-${size}.png` });
    console.log(`${icons}icon-${size}.png`);
  }
} finally {
  await browser.close();
}
