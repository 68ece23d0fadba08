/**
 * IOPub messages → nbformat outputs, as a notebook front end keeps them: consecutive stream text of the
 * same name is merged, `update_display_data` replaces every output carrying that display_id (in any cell
 * of the run), `clear_output` empties the cell (at the next output with `wait`).
 */
import type { JupyterMessage } from '../wire';
import type { Output } from './notebook';

interface Displayed {
  outputs: Output[];
  index: number;
}

export class OutputCollector {
  /** display_id → outputs showing it (across all cells collected so far). */
  private readonly displays = new Map<string, Displayed[]>();

  /** Applies one IOPub message to `outputs` (the running cell's list). Returns the execution_count of execute_input, if any. */
  apply(outputs: Output[], msg: JupyterMessage, state: { clearOnNext: boolean }): void {
    const c = msg.content as Record<string, unknown>;
    const type = msg.header.msg_type;
    const isOutput = type === 'stream' || type === 'display_data' || type === 'execute_result' || type === 'error';
    if (isOutput && state.clearOnNext) {
      this.clear(outputs);
      state.clearOnNext = false;
    }
    switch (type) {
      case 'stream': {
        const name = c.name === 'stderr' ? 'stderr' : 'stdout';
        const last = outputs[outputs.length - 1];
        if (last && last.output_type === 'stream' && last.name === name) last.text = String(last.text) + String(c.text ?? '');
        else outputs.push({ output_type: 'stream', name, text: String(c.text ?? '') });
        break;
      }
      case 'display_data': {
        outputs.push({ output_type: 'display_data', data: (c.data as Record<string, unknown>) ?? {}, metadata: (c.metadata as Record<string, unknown>) ?? {} });
        this.track(c, outputs, outputs.length - 1);
        break;
      }
      case 'update_display_data': {
        const id = (c.transient as { display_id?: string } | undefined)?.display_id;
        for (const d of (id && this.displays.get(id)) || []) {
          const out = d.outputs[d.index];
          if (out && (out.output_type === 'display_data' || out.output_type === 'execute_result')) {
            out.data = (c.data as Record<string, unknown>) ?? {};
            out.metadata = (c.metadata as Record<string, unknown>) ?? {};
          }
        }
        break;
      }
      case 'execute_result':
        outputs.push({
          output_type: 'execute_result',
          execution_count: typeof c.execution_count === 'number' ? c.execution_count : null,
          data: (c.data as Record<string, unknown>) ?? {},
          metadata: (c.metadata as Record<string, unknown>) ?? {},
        });
        this.track(c, outputs, outputs.length - 1);
        break;
      case 'error':
        outputs.push({
          output_type: 'error',
          ename: String(c.ename ?? 'Error'),
          evalue: String(c.evalue ?? ''),
          traceback: Array.isArray(c.traceback) ? c.traceback.map(String) : [],
        });
        break;
      case 'clear_output':
        if (c.wait) state.clearOnNext = true;
        else this.clear(outputs);
        break;
    }
  }

  private track(c: Record<string, unknown>, outputs: Output[], index: number): void {
    const id = (c.transient as { display_id?: string } | undefined)?.display_id;
    if (!id) return;
    const list = this.displays.get(id) ?? [];
    list.push({ outputs, index });
    this.displays.set(id, list);
  }

  private clear(outputs: Output[]): void {
    for (const list of this.displays.values()) {
      for (let i = list.length - 1; i >= 0; i--) if (list[i].outputs === outputs) list.splice(i, 1);
    }
    outputs.length = 0;
  }
}
