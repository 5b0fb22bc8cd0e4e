-- A merchant's team (issue 13): several console users per merchant. `merchant` is an owner (the
-- policy, the webhook and the team are theirs to change), `merchant_staff` works in the console
-- without changing those (core/team.h says who may do what).
-- A member removed from the team is not deleted: what they did (listings reviewed, events) keeps
-- naming them. removed_at marks them; they can no longer sign in and their sessions are gone.
-- Only users not removed hold their e-mail (uq_users_active_email), so a removed member may be
-- invited again.
ALTER TABLE users
  MODIFY COLUMN role ENUM('warehouse','merchant','admin','merchant_staff') NOT NULL,
  ADD COLUMN name VARCHAR(100) NULL,
  ADD COLUMN last_sign_in_at DATETIME NULL,
  ADD COLUMN removed_at DATETIME NULL,
  ADD KEY ix_users_merchant (merchant_id, removed_at, id);

ALTER TABLE users
  ADD COLUMN active_email VARCHAR(255) AS (IF(removed_at IS NULL, email, NULL)) PERSISTENT,
  ADD UNIQUE KEY uq_users_active_email (active_email),
  DROP KEY uq_users_email;
