/**
 * Takes the README's picture of the console: signs in to the running demo
 * network (`npm start`, its tokens from var/demo/network.json) as the
 * administrator and saves the overview at 1280 px to docs/console.png.
 *
 *   npm start            # in one terminal
 *   npm run demo:tour    # some traffic for the chart
 *   npx tsx scripts/console/screenshot.ts
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { networkFilePath, type DemoNetworkFile } from '../demo/network-file';
import { launchChromium } from './chromium';

const OUT = path.resolve(__dirname, '..', '..', 'docs', 'console.png');

async function main(): Promise<void> {
  const network = JSON.parse(readFileSync(networkFilePath(), 'utf8')) as DemoNetworkFile;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
    await page.goto(`${network.gateway.adminUrl}/console/`);
    await page.getByLabel('API токен').fill(network.tokens.admin);
    await page.getByRole('button', { name: 'Нэвтрэх' }).click();
    await page.getByRole('heading', { name: 'Тойм', level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: OUT, fullPage: false });
    console.log(`Saved ${path.relative(process.cwd(), OUT)}`);
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
