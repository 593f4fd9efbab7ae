import os from 'node:os';

/** Where and when a benchmark ran: stored beside its figures, so a table says what it measured on. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  node: string;
  platform: string;
  /** 1-minute load average when the benchmark started: > 1 on 2 cores means it shared them. */
  loadAverage: number;
  date: string;
}

export function machineInfo(): MachineInfo {
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage: Math.round(os.loadavg()[0] * 100) / 100,
    date: new Date().toISOString().slice(0, 10),
  };
}
