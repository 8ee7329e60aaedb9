/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SOTTO_WIRE_ERROR (sotto_wire_error_quark ())

/**
 * SottoWireError:
 * @SOTTO_WIRE_ERROR_CLOSED: the peer closed the connection, or it was cut
 * @SOTTO_WIRE_ERROR_FRAME_TOO_LARGE: a frame length of 0 or over the limit
 * @SOTTO_WIRE_ERROR_BAD_HANDSHAKE: the handshake was malformed or its signature wrong
 * @SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN: first contact; the caller must decide to trust
 * @SOTTO_WIRE_ERROR_SERVER_KEY_CHANGED: the server key differs from the pinned one
 * @SOTTO_WIRE_ERROR_DECRYPTION_FAILED: a channel frame was tampered, replayed or reordered
 * @SOTTO_WIRE_ERROR_PROTOCOL_VERSION: the peer speaks another protocol version
 * @SOTTO_WIRE_ERROR_OVERFLOW: the peer does not read and its output queue is full
 * @SOTTO_WIRE_ERROR_KEY_FILE: the server key file could not be read or written
 */
typedef enum
{
  SOTTO_WIRE_ERROR_CLOSED,
  SOTTO_WIRE_ERROR_FRAME_TOO_LARGE,
  SOTTO_WIRE_ERROR_BAD_HANDSHAKE,
  SOTTO_WIRE_ERROR_SERVER_KEY_UNKNOWN,
  SOTTO_WIRE_ERROR_SERVER_KEY_CHANGED,
  SOTTO_WIRE_ERROR_DECRYPTION_FAILED,
  SOTTO_WIRE_ERROR_PROTOCOL_VERSION,
  SOTTO_WIRE_ERROR_OVERFLOW,
  SOTTO_WIRE_ERROR_KEY_FILE,
} SottoWireError;

GQuark sotto_wire_error_quark (void);

G_END_DECLS
