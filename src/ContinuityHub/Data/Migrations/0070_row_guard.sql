-- 0070: the check EF Core makes after an UPDATE guarded by a concurrency token (exactly one row changed; none means
-- someone changed or deleted the row since it was read), made inside the database instead. A failed check is then an
-- error that stops the write's batch where it stands, so the batch can end with the transaction's COMMIT (one round
-- trip fewer for every HMPPS event and provider action) without ever committing a write that lost the race.
-- EntityRowWriter sends `WITH changed AS (UPDATE … RETURNING 1) SELECT hub_expect_one_row(count(*), $n) FROM changed`
-- ($n numbers the UPDATE within its batch) and turns SQLSTATE HC409 back into EF Core's DbUpdateConcurrencyException for
-- the row concerned. The number is in the message: the only part of an error Npgsql always passes on (no data in it).
CREATE FUNCTION hub_expect_one_row(changed bigint, update_number integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF changed <> 1 THEN
        RAISE EXCEPTION 'row guard: update % changed % rows', update_number, changed USING ERRCODE = 'HC409';
    END IF;
END;
$$;
