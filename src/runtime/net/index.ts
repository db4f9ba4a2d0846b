/** pure-raft over TCP: framing, the binary codec, authentication, the transport, the client. */
export { parseAddress, formatAddress, type Address } from './address.js';
export { Backoff, DEFAULT_BACKOFF, type BackoffSettings } from './backoff.js';
export { ByteReader, ByteWriter } from './bytes.js';
export { SecureChannel, type ChannelEvents, type ChannelSettings } from './channel.js';
export { encodeMessage, encodeMessageBytes, decodeMessage, decodeMessageBytes, MESSAGE_TYPE_BYTE, type DecodeContext } from './codec.js';
export { newCounters, consoleLogger, type NetCounters, type NetLogger } from './counters.js';
export { WireError, EncodeError, ClientRequestError, type WireErrorKind } from './errors.js';
export { FrameSealer, FrameOpener, TAG_BYTES } from './frameAuth.js';
export { FrameDecoder, encodeFrame, DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES } from './framing.js';
export {
  InitiatorHandshake, ResponderHandshake, secretBytes, clusterIdProblem, MAX_HANDSHAKE_FRAME_BYTES, MAX_CLUSTER_ID_BYTES,
  type Identity, type Secret, type SessionKeys, type ResponderInfo,
} from './handshake.js';
export { encodeJson, decodeJson, isJsonObject, nestsDeeperThan, MAX_JSON_DEPTH, type JsonObject } from './json.js';
export { Listener, type ClientHandler, type ListenerHandlers } from './listener.js';
export { PeerLink, type PeerLinkSettings } from './peerLink.js';
export { encodePeerFrame, decodePeerFrame, encodeClientFrame, decodeClientFrame, type ClientFrame } from './rpcFrame.js';
export { TcpClient, type TcpClientOptions } from './tcpClient.js';
export { TcpTransport, DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_PENDING_CALLS, type TcpTransportOptions } from './tcpTransport.js';
