/** The README's five-minute tour writes a protocol and a campaign: they must stay valid, on the shipped lab. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileReader, validateText, type DocumentReader } from './document.loader.js';

describe("the README's tour", () => {
  it('writes a protocol and a campaign that validate', () => {
    const blocks = [
      ...readFileSync('README.md', 'utf8').matchAll(/```yaml\n(# yaml-language-server[\s\S]*?)```/g),
    ].map((m) => m[1] ?? '');
    const protocol = blocks.find((b) => /^kind: protocol$/m.test(b));
    const campaign = blocks.find((b) => /^kind: campaign$/m.test(b));
    expect(protocol).toBeDefined();
    expect(campaign).toBeDefined();
    const files: Record<string, string> = {
      [resolve('protocols/my-assay.yaml')]: protocol ?? '',
      [resolve('protocols/my-campaign.yaml')]: campaign ?? '',
    };
    const reader: DocumentReader = (p) => files[p] ?? fileReader(p);
    expect(validateText(resolve('protocols/my-campaign.yaml'), campaign ?? '', { reader })).toEqual([]);
    expect(
      validateText(resolve('protocols/my-assay.yaml'), protocol ?? '', {
        reader,
        lab: 'config/labs/demo.yaml',
      }),
    ).toEqual([]);
  });
});
