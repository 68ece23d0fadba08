(async () => {
  const dawn = await import('webgpu' as string);
  const g = globalThis as any;
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in g)) g[k] = v;
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter();
  const device = await adapter.requestDevice();
  const src = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(src, 0, new Float32Array([1, 2, 3, 4]));
  const staging = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, 0, staging, 0, 16);
  device.queue.submit([enc.finish()]);
  const captured: Array<() => void> = [];
  const orig = g.setImmediate;
  g.setImmediate = (fn: () => void, ...args: unknown[]) => { captured.push(() => fn(...(args as []))); return { ref() {}, unref() {}, hasRef() { return false; } }; };
  let p: Promise<void>;
  let spins = 0;
  const t0 = performance.now();
  try {
    p = staging.mapAsync(GPUMapMode.READ);
    p.catch(() => {});
    while (staging.mapState !== 'mapped' && spins < 100000) {
      const fns = captured.splice(0);
      for (const f of fns) f();
      spins++;
      if (staging.mapState !== 'mapped' && fns.length === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 0.05);
    }
  } finally { g.setImmediate = orig; }
  console.log('state', staging.mapState, 'spins', spins, 'captured left', captured.length, (performance.now() - t0).toFixed(2), 'ms');
  console.log(new Float32Array(staging.getMappedRange().slice(0)));
  staging.unmap();
  for (const f of captured) orig(f);
  await p!;
  console.log('promise resolved');
  device.destroy();
})();
