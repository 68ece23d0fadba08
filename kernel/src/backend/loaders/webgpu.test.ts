import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainNoAdapter } from './vulkan_diagnosis';
import { describeAdapter, toAdapterInfo } from './webgpu';

describe('toAdapterInfo', () => {
  test('Mesa lavapipe (as Dawn reports it) is a software adapter', () => {
    const info = toAdapterInfo({
      info: {
        vendor: 'mesa',
        architecture: 'software',
        device: 'llvmpipe-llvm-15-0-6-256-bits-',
        description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1',
        isFallbackAdapter: true,
      },
    });
    assert.deepEqual(info, {
      vendor: 'mesa',
      architecture: 'software',
      device: 'llvmpipe-llvm-15-0-6-256-bits-',
      driver: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1',
      software: true,
    });
    assert.equal(describeAdapter(info), 'mesa software llvmpipe-llvm-15-0-6-256-bits-, driver llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1');
  });

  test('software is detected from the name when Dawn does not flag a fallback adapter', () => {
    assert.equal(toAdapterInfo({ info: { vendor: 'google', device: 'swiftshader-device', description: 'SwiftShader driver' } }).software, true);
    assert.equal(toAdapterInfo({ info: { vendor: 'mesa', device: 'x', description: 'llvmpipe: Mesa 24' } }).software, true);
    assert.equal(toAdapterInfo({ isFallbackAdapter: true, info: {} }).software, true);
  });

  test('an NVIDIA GPU is a hardware adapter', () => {
    const info = toAdapterInfo({
      info: { vendor: 'nvidia', architecture: 'hopper', device: 'nvidia-h100-80gb-hbm3', description: 'NVIDIA: 580.159.04', isFallbackAdapter: false },
    });
    assert.equal(info.software, false);
    assert.match(describeAdapter(info), /nvidia hopper nvidia-h100-80gb-hbm3, driver NVIDIA: 580\.159\.04/);
  });

  test('missing fields are named as unknown, never empty', () => {
    const info = toAdapterInfo({});
    assert.deepEqual([info.vendor, info.architecture, info.device, info.driver], ['unknown vendor', 'unknown architecture', 'unnamed device', 'unknown driver']);
  });
});

describe('explainNoAdapter', { skip: process.platform !== 'linux' && 'Linux-only diagnosis' }, () => {
  test('no loader: names libvulkan1 and both drivers', () => {
    const text = explainNoAdapter({ loader: undefined, icds: [], nvidiaGpu: false });
    assert.match(text, /no Vulkan loader/);
    assert.match(text, /apt-get install libvulkan1/);
    assert.match(text, /NVIDIA driver/);
    assert.match(text, /bookworm-backports .*mesa-vulkan-drivers/);
  });

  test('a loader but no ICD: no Vulkan driver', () => {
    const text = explainNoAdapter({ loader: '/lib/x86_64-linux-gnu/libvulkan.so.1', icds: [], nvidiaGpu: false });
    assert.match(text, /^no Vulkan driver/);
    assert.match(text, /mesa-vulkan-drivers/);
  });

  test('an NVIDIA GPU without its ICD points at the NVIDIA Vulkan driver', () => {
    const text = explainNoAdapter({ loader: '/usr/lib/libvulkan.so.1', icds: ['/usr/share/vulkan/icd.d/lvp_icd.json'], nvidiaGpu: true });
    assert.match(text, /NVIDIA GPU is visible but no NVIDIA Vulkan driver/);
  });

  test('only an old lavapipe: asks for Mesa >= 25 from backports', () => {
    const text = explainNoAdapter({ loader: '/usr/lib/libvulkan.so.1', icds: ['/usr/share/vulkan/icd.d/lvp_icd.x86_64.json'], nvidiaGpu: false });
    assert.match(text, /only lavapipe/);
    assert.match(text, /Mesa >= 25/);
  });
});
