-- #14 item 13: a serial's issue as data of its title. `issue_of` names the run of issues (one
-- magazine), `issue_on` dates this issue; both or neither. Chikushino holds only the latest.
ALTER TABLE titles ADD COLUMN issue_of TEXT CHECK (issue_of IS NULL OR length(issue_of) > 0);
ALTER TABLE titles ADD COLUMN issue_on TEXT
    CHECK ((issue_on IS NULL) = (issue_of IS NULL)
           AND (issue_on IS NULL OR issue_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'));

-- "Is there a later issue of this run?" is one index range.
CREATE INDEX titles_issues ON titles (issue_of, issue_on) WHERE issue_of IS NOT NULL;
