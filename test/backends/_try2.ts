(async () => {
  const dawn = require('webgpu');
  const gpu = dawn.create([]);
  const ad = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  const info = ad.info;
  const o: Record<string, unknown> = {};
  for (const k in info) o[k] = (info as any)[k];
  console.log(JSON.stringify(o), 'fallback', ad.isFallbackAdapter, 'features', [...ad.features].join(','));
  const lim: Record<string, unknown> = {}; for (const k in ad.limits) lim[k] = ad.limits[k];
  console.log(JSON.stringify(lim));
  console.log(Object.keys(dawn.globals).join(','));
})();
