/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "sotto-e2e-error.h"
#include "sotto-message-body.h"

G_BEGIN_DECLS

/* The device a message is named by: its signing key. */
#define SOTTO_MESSAGE_REF_DEVICE_BYTES 32

/* The longest account name a reference carries. */
#define SOTTO_MESSAGE_REF_SENDER_MAX_BYTES 32

/* The most of the original a reply quotes, in bytes of UTF-8. */
#define SOTTO_MESSAGE_EXCERPT_MAX_BYTES 256

/* The longest reaction, in bytes of UTF-8 (an emoji with its modifiers). */
#define SOTTO_MESSAGE_REACTION_MAX_BYTES 64

/**
 * SottoMessageRef:
 * @sender: the account that wrote the message
 * @device: the signing key of the device that wrote it
 * @counter: that device's count of it in the room (its body's counter)
 *
 * A message as its readers name it: by what its sender signed, which the
 * server can neither change nor give to another message.
 */
typedef struct
{
  char    *sender;
  guint8   device[SOTTO_MESSAGE_REF_DEVICE_BYTES];
  guint64  counter;
} SottoMessageRef;

/**
 * SottoMessageAction:
 * @type: %SOTTO_MESSAGE_BODY_REPLY, %SOTTO_MESSAGE_BODY_EDIT,
 *   %SOTTO_MESSAGE_BODY_DELETE or %SOTTO_MESSAGE_BODY_REACTION
 * @target: the message it is about
 * @text: a reply's text, or an edit's new text; %NULL otherwise
 * @excerpt: a reply's quote of the start of @target (may be empty);
 *   %NULL otherwise
 * @reaction: a reaction's emoji; %NULL otherwise
 * @removed: whether a reaction is taken back
 *
 * A message about another message: the content of a body of one of the
 * four types above.
 */
typedef struct
{
  SottoMessageBodyType  type;
  SottoMessageRef       target;
  char                 *text;
  char                 *excerpt;
  char                 *reaction;
  gboolean              removed;
} SottoMessageAction;

gboolean  sotto_message_body_type_is_action (SottoMessageBodyType        type);
GBytes   *sotto_message_action_encode       (const SottoMessageAction   *action,
                                             GError                    **error);
gboolean  sotto_message_action_decode       (SottoMessageBodyType        type,
                                             GBytes                     *content,
                                             SottoMessageAction         *action,
                                             GError                    **error);
void      sotto_message_action_clear        (SottoMessageAction         *action);
void      sotto_message_action_free         (SottoMessageAction         *action);
char     *sotto_message_excerpt             (const char                 *text);
gboolean  sotto_message_reaction_is_valid   (const char                 *reaction);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SottoMessageAction, sotto_message_action_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SottoMessageAction, sotto_message_action_free)

G_END_DECLS
