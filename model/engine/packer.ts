import { ByteSink } from './byte-sink.js';
import { ByteSource } from './byte-source.js';
import { identity, type Relabelling } from './relabelling.js';
import type { Sink } from './sink.js';
import type { Encoding } from './symmetry.js';

/** Reads a state of `ids` ids as its Encoding wrote it under the identity (the model's decoder). */
export type DecodeState<S> = (source: ByteSource, ids: number) => S;

/**
 * A model's states as bytes, from its one Encoding and a decoder that mirrors it: what a model's
 * `pack` and `unpack` are (model.ts). The bytes are the id count, then the encoding under the
 * identity, as the byte sink writes it; `unpack` reads them back through the model's decoder.
 */
export class Packer<S> {
  private readonly sink = new ByteSink();
  private readonly source = new ByteSource();
  private readonly write: (state: S, r: Relabelling, sink: Sink) => void;
  private readonly read: (source: ByteSource) => S;

  constructor(
    private readonly encoding: Encoding<S>,
    decode: DecodeState<S>,
  ) {
    this.write = (state, r, sink) => {
      sink.int(r.size);
      encoding.encode(state, r, sink);
    };
    this.read = (source) => decode(source, source.int());
  }

  /** The state's bytes: a view of a buffer reused by the next call (copy it to keep it). */
  pack(state: S): Uint8Array {
    return this.sink.pack(state, identity(this.encoding.ids(state)), this.write);
  }

  unpack(bytes: Uint8Array): S {
    return this.source.unpack(bytes, this.read);
  }
}
