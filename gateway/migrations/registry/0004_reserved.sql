-- Stand-in for version 4, which the OpenAPI services work (branch openapi)
-- takes: versions may have no gaps, and access rights per endpoint are 5.
-- Delete this file when that branch's 0004 is merged.
SELECT 1;
