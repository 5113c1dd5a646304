-- bunko schema V10: what patrons set themselves (#14): the default hold contact method next to
-- the default pickup (R-C5), the day they agreed to the web self-issue terms (R-A3), and
-- addresses whose mailbox rejects the library's mail (chiba: the mail service is off for them).

-- The contact method that prefills holds (R-C5); NULL: none chosen.
ALTER TABLE patrons ADD COLUMN default_contact TEXT
    CHECK (default_contact IS NULL OR default_contact IN ('none', 'mail', 'phone', 'voice', 'post', 'fax'));

-- The day the patron agreed to the terms of web self-issue (「同意する」→「承諾」, R-A3).
ALTER TABLE patrons ADD COLUMN self_issue_terms_agreed_on TEXT
    CHECK (self_issue_terms_agreed_on IS NULL
           OR self_issue_terms_agreed_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');

-- The day the host reported that this mailbox rejects the library's mail (受信拒否); no mail
-- goes to it until the patron registers it again.
ALTER TABLE patron_emails ADD COLUMN rejected_on TEXT
    CHECK (rejected_on IS NULL OR rejected_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');
