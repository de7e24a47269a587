// Select renders a shared (frozen) long option list once and marks the selection per render: the
// same HTML as rendering every option each time.
import { describe, expect, it } from 'vitest';
import { Select, type Option } from '../../views/components/forms.js';

const options: Option[] = Array.from({ length: 120 }, (_, i) => ({ value: String(i + 1), label: `Program <${i + 1}> & co` }));
const shared = Object.freeze(options.map((o) => ({ ...o })));

const render = (list: readonly Option[], value?: string) => String(<Select name="program_id" label="Program" value={value} options={list} blank="Any program" />);

describe('Select', () => {
  it('renders a frozen list exactly as a fresh one, whatever is selected, render after render', () => {
    for (const value of [undefined, '7', '120', '7', undefined, 'none']) {
      expect(render(shared, value)).toBe(render(options, value));
    }
    const html = render(shared, '7');
    expect(html.match(/ selected/g)).toHaveLength(1);
    expect(html).toContain('<option value="7" selected>Program &lt;7> &amp; co</option>');
    expect(render(shared, '8')).not.toContain('<option value="7" selected>');
  });
});
