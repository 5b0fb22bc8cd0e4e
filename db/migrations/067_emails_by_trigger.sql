-- The customer's e-mail of a return's event, queued by a trigger as the event's timeline row is
-- inserted, in the change's transaction (as 063 numbers events and writes their deliveries): a
-- change that mails the customer sends one statement less (create, first scan, resolution,
-- cancel, expiry). Every event of a return writes its timeline row (db/returns.c,
-- store_event_add_of), so the trigger sees each one once.
--
-- Which events mail the customer, and the message each sends (kaeru-worker renders it from the
-- return as it is when sent: worker/mail.c's kinds). The shop's acknowledgements (refund paid,
-- replacement shipped) are not here: their messages carry the payment's reference and amount or
-- the carrier, which fcgi/h_acks.c queues with the acknowledgement. INSERT IGNORE: the unique
-- key (return_id, kind, ref) keeps one message of a kind, as before.
CREATE TRIGGER return_events_mailed AFTER INSERT ON return_events FOR EACH ROW
  INSERT IGNORE INTO emails (merchant_id, return_id, kind, ref, data, created_at, next_attempt_at)
  SELECT r.merchant_id, r.id, CASE NEW.type WHEN 'created' THEN 'return_started'
    WHEN 'received' THEN 'parcel_received' WHEN 'resolved' THEN 'return_resolved'
    WHEN 'canceled' THEN 'return_canceled' WHEN 'expired' THEN 'return_expired' END,
    '', NULL, UTC_TIMESTAMP(), UTC_TIMESTAMP()
  FROM returns r
  WHERE r.id = NEW.return_id
    AND NEW.type IN ('created', 'received', 'resolved', 'canceled', 'expired');
