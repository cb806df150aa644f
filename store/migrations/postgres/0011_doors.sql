-- Where an incident came from, fixed at its declare: the door (slash,
-- form, message, workflow, api, alert), who declared it when that is not
-- a Slack user (an API token's name), what was written with it, the
-- message it was declared from and the workflow step waiting for it. One
-- JSON document: it is written once and read whole.
ALTER TABLE incidents ADD COLUMN origin TEXT NOT NULL DEFAULT '{}';
-- What the sync did with the origin, each a one-way flag: the origin is
-- being posted (then posted) into the incident channel, the reply in the
-- source message's thread is being posted (then posted), and the workflow
-- step was told the outcome.
ALTER TABLE incidents ADD COLUMN origin_posting INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN origin_posted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN thread_posting INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN thread_posted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN function_done INTEGER NOT NULL DEFAULT 0;
