-- Who has host controls of the incident's call: the commander, made an
-- alternative host when Zoom allows it, or why nobody.
ALTER TABLE incidents ADD COLUMN host_controls_user TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN host_controls_email TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN host_controls_note TEXT NOT NULL DEFAULT '';
