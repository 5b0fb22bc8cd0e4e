-- Where a customer's answer to kaeru's e-mail goes: the merchant's support address (Reply-To).
-- NULL: the message has no Reply-To, and answers go to KAERU_MAIL_FROM.
ALTER TABLE merchants ADD COLUMN reply_to VARCHAR(254) NULL;
