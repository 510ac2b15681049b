// The names of things in a containers-storage tree (storage-format.md §2), in one place.
import type { StorageOptions } from './options.js';

export interface StorePaths {
  graphRoot: string;
  runRoot: string;
  storageLock: string;
  layersDir: string;
  layersJson: string;
  volatileLayersJson: string;
  layersLock: string;
  imagesDir: string;
  imagesJson: string;
  imagesLock: string;
  containersDir: string;
  containersJson: string;
  volatileContainersJson: string;
  containersLock: string;
  driverHome: string;
  linkDir: string;
  mountpointsJson: string;
  mountpointsLock: string;
}

export function storePaths(opts: Pick<StorageOptions, 'graphRoot' | 'runRoot' | 'driver'>): StorePaths {
  const g = opts.graphRoot;
  const d = opts.driver;
  return {
    graphRoot: g,
    runRoot: opts.runRoot,
    storageLock: `${g}/storage.lock`,
    layersDir: `${g}/${d}-layers`,
    layersJson: `${g}/${d}-layers/layers.json`,
    volatileLayersJson: `${g}/${d}-layers/volatile-layers.json`,
    layersLock: `${g}/${d}-layers/layers.lock`,
    imagesDir: `${g}/${d}-images`,
    imagesJson: `${g}/${d}-images/images.json`,
    imagesLock: `${g}/${d}-images/images.lock`,
    containersDir: `${g}/${d}-containers`,
    containersJson: `${g}/${d}-containers/containers.json`,
    volatileContainersJson: `${g}/${d}-containers/volatile-containers.json`,
    containersLock: `${g}/${d}-containers/containers.lock`,
    driverHome: `${g}/${d}`,
    linkDir: `${g}/${d}/l`,
    mountpointsJson: `${opts.runRoot}/${d}-layers/mountpoints.json`,
    mountpointsLock: `${opts.runRoot}/${d}-layers/mountpoints.lock`,
  };
}

/** A layer's directories in the overlay driver home (§3.1). */
export function layerDirs(paths: StorePaths, layerId: string) {
  const base = `${paths.driverHome}/${layerId}`;
  return {
    base,
    diff: `${base}/diff`,
    work: `${base}/work`,
    merged: `${base}/merged`,
    link: `${base}/link`,
    lower: `${base}/lower`,
    empty: `${base}/empty`,
  };
}

/**
 * Big-data file name (makeBigDataBaseName): the key itself when it is made only of
 * `[.0-9a-z]`, else `=` + standard base64 of the key.
 */
export function bigDataFileName(key: string): string {
  return /^[.0-9a-z]*$/.test(key) ? key : `=${Buffer.from(key, 'utf8').toString('base64')}`;
}

export function imageBigDataPath(paths: StorePaths, imageId: string, key: string): string {
  return `${paths.imagesDir}/${imageId}/${bigDataFileName(key)}`;
}
