-- 0002: what providers record on a referral as it moves through the closed loop (contract §5).
ALTER TABLE referrals ADD COLUMN rejection_reason text NULL;
ALTER TABLE referrals ADD COLUMN appointment_date date NULL;
