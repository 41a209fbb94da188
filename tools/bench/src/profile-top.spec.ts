import { topFrames } from './profile-top';

describe(topFrames.name, () => {
  it('ranks frames by their own samples, as shares of all samples', () => {
    const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 3] },
        { id: 2, callFrame: frame('read', 'file:///srv/node_modules/pg/lib/client.js') },
        { id: 3, callFrame: frame('(idle)') },
      ],
      samples: [2, 2, 2, 3],
    };
    expect(topFrames(profile)).toEqual([
      { name: 'read pg/lib/client.js:1', share: 0.75 },
      { name: '(idle)', share: 0.25 },
    ]);
  });
});
