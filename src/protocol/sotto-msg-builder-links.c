/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "sotto-msg-builder.h"
#include "sotto-msg-builder-private.h"

/* Linking a new computer, both ways: the new computer offers under a
 * link id, a signed-in computer fetches the offer and approves it, and
 * the server hands the approval to the computer that offered. Offers and
 * approvals are sealed by the e2e library; to the protocol they are
 * bytes. */

/**
 * sotto_msg_build_link_offer:
 * @link: the link id, %SOTTO_PROTOCOL_LINK_ID_LENGTH characters of
 *   lowercase hex
 * @offer: the sealed offer, at most
 *   %SOTTO_PROTOCOL_LINK_OFFER_MAX_BYTES bytes
 */
GBytes *
sotto_msg_build_link_offer (const char *id,
                            const char *link,
                            GBytes     *offer)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (link != NULL, NULL);
  g_return_val_if_fail (offer != NULL, NULL);

  builder = begin_request ("link_offer", id);
  add_string (builder, "link", link);
  add_bytes (builder, "offer", offer);

  return end_message (builder);
}

GBytes *
sotto_msg_build_link_fetch (const char *id,
                            const char *link)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (link != NULL, NULL);

  builder = begin_request ("link_fetch", id);
  add_string (builder, "link", link);

  return end_message (builder);
}

/**
 * sotto_msg_build_link_approve:
 * @approval: the sealed approval, at most
 *   %SOTTO_PROTOCOL_LINK_APPROVAL_MAX_BYTES bytes
 */
GBytes *
sotto_msg_build_link_approve (const char *id,
                              const char *link,
                              GBytes     *approval)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (link != NULL, NULL);
  g_return_val_if_fail (approval != NULL, NULL);

  builder = begin_request ("link_approve", id);
  add_string (builder, "link", link);
  add_bytes (builder, "approval", approval);

  return end_message (builder);
}

/**
 * sotto_msg_build_link_offered:
 * @offer: the offer waiting under @link, as it was sent
 */
GBytes *
sotto_msg_build_link_offered (const char *id,
                              const char *link,
                              GBytes     *offer)
{
  JsonBuilder *builder;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (link != NULL, NULL);
  g_return_val_if_fail (offer != NULL, NULL);

  builder = begin_request ("link_offered", id);
  add_string (builder, "link", link);
  add_bytes (builder, "offer", offer);

  return end_message (builder);
}

/**
 * sotto_msg_build_link_approved:
 * @approval: the approval, as the approving computer sent it
 * @user: the account of the approving computer, as the server spells it
 */
GBytes *
sotto_msg_build_link_approved (const char *link,
                               GBytes     *approval,
                               const char *user)
{
  JsonBuilder *builder;

  g_return_val_if_fail (link != NULL, NULL);
  g_return_val_if_fail (approval != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  builder = begin_message ("link_approved");
  add_string (builder, "link", link);
  add_bytes (builder, "approval", approval);
  add_string (builder, "user", user);

  return end_message (builder);
}

GBytes *
sotto_msg_build_link_expired (const char *link)
{
  JsonBuilder *builder;

  g_return_val_if_fail (link != NULL, NULL);

  builder = begin_message ("link_expired");
  add_string (builder, "link", link);

  return end_message (builder);
}
