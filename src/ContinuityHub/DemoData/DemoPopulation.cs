using System.Text.Json.Nodes;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Features.Measure;
using ContinuityHub.Features.Releases;
using ContinuityHub.Mappings;

namespace ContinuityHub.DemoData;

/// <summary>A made-up person: identifiers valid by the hub's own rules, the NHS number from the 999 test range.</summary>
public sealed record DemoPerson(string NomsNumber, string Crn, string NhsNumber, string PncNumber, string GivenName, string FamilyName,
    DateOnly DateOfBirth, string Gender);

/// <summary>What the provider and probation do after a release, each dated (null: it does not happen).</summary>
public sealed record DemoStory(bool Accept, string? RejectionReason, DateOnly? Appointment, DateOnly? Engagement, string? ExclusionReason,
    DateOnly? ExclusionDate);

/// <summary>One synthetic release: the §4.1 notification the prison team sends, and what happens after.</summary>
public sealed record DemoRelease(DemoPerson Person, string PrisonCode, DateOnly ReleaseDate, JsonObject Notification, DemoStory Story);

/// <summary>
/// A year of synthetic releases for the prisons and areas of the deployment's mappings, the same for the same
/// seed and day. Shaped to look like a real service: releases on weekdays, most to the county's postcode
/// districts (a few elsewhere, so no provider), a few without a treatment need or without consent, some
/// people released twice; engagement near the national rate (about half, rising through the year towards
/// the partnership's ambition so the dashboard shows a trend), a few exclusions and rejections; the last
/// three weeks still pending and the next four planned.
/// </summary>
public sealed class DemoPopulation(ReferenceData mappings, int seed)
{
    /// <summary>The delivery units of the demo (invented codes): North and West Northamptonshire, and one for releases out of county.</summary>
    public const string NorthPdu = "N56NNE", WestPdu = "N56WNE", OutOfAreaPdu = "N53OUT";

    public const int PlannedDaysAhead = 28;

    private static readonly string[] GivenMale = ["Adam", "Ben", "Callum", "Daniel", "Dean", "Elliot", "Gary", "Harvey", "Jamie", "Jason", "Kieran",
        "Lee", "Liam", "Mark", "Nathan", "Owen", "Paul", "Reece", "Ryan", "Scott", "Shane", "Stuart", "Tom", "Tyler", "Wayne", "Zak"];
    private static readonly string[] GivenFemale = ["Amy", "Chloe", "Danielle", "Emma", "Gemma", "Hayley", "Jade", "Kelly", "Leanne", "Michelle",
        "Natalie", "Stacey", "Vicky"];
    private static readonly string[] Family = ["Abbott", "Barker", "Brooks", "Carter", "Cole", "Dawson", "Ellis", "Fletcher", "Foster", "Grant",
        "Hale", "Harper", "Holt", "Hughes", "Jarvis", "Kemp", "Knight", "Lowe", "Marsh", "Mason", "Nash", "Osborne", "Palmer", "Pearce",
        "Reeves", "Rowe", "Sharp", "Slater", "Stone", "Tanner", "Turner", "Walsh", "Webb", "Wells", "Wilkins", "Wood", "Yates"];

    /// <summary>Prisons by how many of the county's residents each releases (Five Wells most).</summary>
    private static readonly (string Code, int Weight)[] PrisonWeights =
        [("FWI", 26), ("ONI", 14), ("RHI", 9), ("WDI", 11), ("PBI", 12), ("LTI", 7), ("GTI", 4), ("BNI", 11), ("WSI", 6)];

    private static readonly (string[] Substances, int Weight)[] NeedProfiles =
    [
        (["opiates", "crack"], 34), (["opiates"], 10), (["crack", "cocaine"], 9), (["alcohol"], 15), (["cannabis"], 8),
        (["cocaine", "alcohol"], 8), (["amphetamines"], 4), (["benzodiazepines", "opiates"], 4), (["synthetic-cannabinoids"], 4),
        (["ketamine"], 2), (["other-drugs"], 2),
    ];

    private static readonly (string Reason, int Weight)[] ExclusionWeights =
        [(ExclusionReasons.ReturnedToCustody, 60), (ExclusionReasons.Hospital, 15), (ExclusionReasons.Died, 13), (ExclusionReasons.RemovedFromUk, 12)];

    private static readonly string[] OutOfAreaPostcodes = ["MK9 2AF", "LE1 5WW", "PE1 1HQ", "CV1 2GT", "MK40 1SQ"];

    private static readonly string[] RejectionReasons =
    [
        "Already in structured treatment with another service.", "Moved out of the area before the first appointment.",
        "Referral duplicated: an open episode exists for this person.",
    ];

    private readonly Random random = new(seed);
    private readonly HashSet<string> usedNoms = [];
    private readonly List<(DemoPerson Person, DateOnly LastRelease)> releasedBefore = [];

    /// <summary>
    /// Releases dated from <paramref name="days"/> days before <paramref name="today"/> to <see cref="PlannedDaysAhead"/>
    /// after it, about <paramref name="perWeekday"/> each weekday, in date order.
    /// </summary>
    public IReadOnlyList<DemoRelease> Generate(DateOnly today, int days, double perWeekday)
    {
        var prisons = PrisonWeights.Where(p => mappings.Prisons.ContainsKey(p.Code)).ToArray();
        if (prisons.Length == 0) prisons = mappings.Prisons.Keys.Select(code => (code, 1)).ToArray();
        var releases = new List<DemoRelease>();
        for (var date = today.AddDays(-days); date <= today.AddDays(PlannedDaysAhead); date = date.AddDays(1))
        {
            if (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) continue;
            var count = Poisson(perWeekday);
            // Progress through the year, 0 → 1: engagement improves as the partnership works on it.
            var progress = Math.Clamp((date.DayNumber - today.AddDays(-days).DayNumber) / (double)Math.Max(days, 1), 0, 1);
            for (var i = 0; i < count; i++) releases.Add(Release(date, today, PickWeighted(prisons), progress));
        }
        return releases;
    }

    private DemoRelease Release(DateOnly releaseDate, DateOnly today, string prison, double progress)
    {
        var female = prison == "PBI" && random.NextDouble() < 0.4;
        var person = PersonFor(releaseDate, female);
        var outOfArea = random.NextDouble() < 0.05;
        var (postcode, pdu) = outOfArea ? (Pick(OutOfAreaPostcodes), OutOfAreaPdu) : CountyDestination();
        var hasNeed = random.NextDouble() < 0.9;
        var substances = hasNeed ? PickWeighted(NeedProfiles) : [];
        var consent = !hasNeed || random.NextDouble() < 0.93;
        var released = releaseDate <= today;

        var need = new JsonObject
        {
            ["substances"] = new JsonArray(substances.Select(s => (JsonNode?)s).ToArray()),
            ["inTreatmentInCustody"] = hasNeed && random.NextDouble() < 0.7,
            ["naloxoneIssued"] = substances.Contains("opiates") && random.NextDouble() < 0.85,
            ["consentToShare"] = consent,
        };
        if (substances.Contains("opiates") && random.NextDouble() < 0.8)
        {
            var methadone = random.NextDouble() < 0.7;
            need["ost"] = new JsonObject
            {
                ["medication"] = methadone ? "methadone" : "buprenorphine",
                ["dailyDoseMg"] = methadone ? 30 + 5 * random.Next(0, 13) : 8 + 2 * random.Next(0, 9),
                ["lastDoseDate"] = Iso(released ? releaseDate : today),
                ["bridgingPrescription"] = random.NextDouble() < 0.7,
            };
        }
        var notification = new JsonObject
        {
            ["notificationId"] = NewGuid().ToString(),
            ["source"] = ReleaseSources.PrisonHealthcare,
            ["person"] = new JsonObject
            {
                ["nomsNumber"] = person.NomsNumber, ["nhsNumber"] = person.NhsNumber, ["crn"] = person.Crn, ["pncNumber"] = person.PncNumber,
                ["givenName"] = person.GivenName, ["familyName"] = person.FamilyName, ["dateOfBirth"] = Iso(person.DateOfBirth), ["gender"] = person.Gender,
            },
            ["release"] = new JsonObject
            {
                ["prisonCode"] = prison,
                ["releaseDate"] = Iso(releaseDate),
                ["status"] = released ? ReleaseStatuses.Released : ReleaseStatuses.Planned,
                ["releaseType"] = random.NextDouble() < 0.8 ? "licence" : "sentence-expiry",
                ["destination"] = new JsonObject { ["postcode"] = postcode, ["localAuthorityCode"] = null, ["noFixedAbode"] = random.NextDouble() < 0.06 },
            },
            ["treatmentNeed"] = need,
            ["contacts"] = new JsonObject
            {
                ["prisonTeamEmail"] = mappings.Prisons[prison].HealthcareEmail,
                ["probationPractitioner"] = new JsonObject
                {
                    ["name"] = $"{Pick(GivenFemale)} {Pick(Family)}", ["email"] = $"pp.{pdu.ToLowerInvariant()}@example.justice.gov.uk", ["pduCode"] = pdu,
                },
            },
        };
        var referred = hasNeed && consent && !outOfArea;
        return new DemoRelease(person, prison, releaseDate, notification, referred ? Story(releaseDate, today, progress) : NoStory);
    }

    private static readonly DemoStory NoStory = new(false, null, null, null, null, null);

    /// <summary>
    /// What happens to a referral. Engagement within the 21 days for about 50 % of referrals at the start of the
    /// year rising to 68 % at its end (the cohort also holds releases with no referral, which cannot engage),
    /// a few late engagements, 3 % excluded, 3 % rejected. Only what has happened by <paramref name="today"/> is kept.
    /// </summary>
    private DemoStory Story(DateOnly releaseDate, DateOnly today, double progress)
    {
        var roll = random.NextDouble();
        if (roll < 0.03) return Happened(new DemoStory(false, Pick(RejectionReasons), null, null, null, null), today);
        if (roll < 0.06)
        {
            var reason = PickWeighted(ExclusionWeights);
            return Happened(new DemoStory(random.NextDouble() < 0.7, null, null, null, reason, releaseDate.AddDays(random.Next(1, CareWindow.EngageDays))), today);
        }
        var engageChance = 0.50 + 0.18 * progress;
        DateOnly? engagement = random.NextDouble() < engageChance
            ? releaseDate.AddDays(Math.Min(CareWindow.EngageDays, (int)Math.Floor(-Math.Log(1 - random.NextDouble()) * 5)))
            : random.NextDouble() < 0.08 ? releaseDate.AddDays(random.Next(CareWindow.EngageDays + 1, 40)) : null;
        var accept = engagement is not null || random.NextDouble() < 0.8;
        DateOnly? appointment = accept && random.NextDouble() < 0.75 ? releaseDate.AddDays(random.Next(0, 8)) : null;
        if (engagement is { } e && appointment > e) appointment = e;
        return Happened(new DemoStory(accept, null, appointment, engagement, null, null), today);
    }

    /// <summary>The story as far as it has got by today: nothing dated in the future has happened yet (an appointment may be booked ahead).</summary>
    private static DemoStory Happened(DemoStory story, DateOnly today) => story with
    {
        Engagement = story.Engagement <= today ? story.Engagement : null,
        ExclusionReason = story.ExclusionDate <= today ? story.ExclusionReason : null,
        ExclusionDate = story.ExclusionDate <= today ? story.ExclusionDate : null,
    };

    /// <summary>One person in ten comes back: released again two months or more after an earlier release.</summary>
    private DemoPerson PersonFor(DateOnly releaseDate, bool female)
    {
        if (random.NextDouble() < 0.1)
        {
            var index = releasedBefore.FindIndex(p => p.LastRelease.AddDays(60) <= releaseDate && (p.Person.Gender == "female") == female);
            if (index >= 0)
            {
                var again = releasedBefore[index].Person;
                releasedBefore.RemoveAt(index);
                return again;
            }
        }
        var person = NewPerson(releaseDate, female);
        releasedBefore.Add((person, releaseDate));
        return person;
    }

    private DemoPerson NewPerson(DateOnly releaseDate, bool female)
    {
        string noms;
        do noms = $"{(char)('A' + random.Next(0, 26))}{random.Next(0, 10_000):D4}{(char)('A' + random.Next(0, 26))}{(char)('A' + random.Next(0, 26))}";
        while (!usedNoms.Add(noms));
        var born = releaseDate.AddYears(-random.Next(19, 58)).AddDays(-random.Next(0, 365));
        var pncYear = (born.Year + random.Next(16, 19)).ToString();
        var pncSerial = random.Next(1, 9_999_999).ToString("D7");
        return new DemoPerson(
            noms,
            $"{(char)('A' + random.Next(0, 26))}{random.Next(0, 1_000_000):D6}",
            NhsNumberInTestRange(),
            $"{pncYear}/{pncSerial}{Identifiers.PncCheckLetter(pncYear, pncSerial)}",
            female ? Pick(GivenFemale) : Pick(GivenMale),
            Pick(Family),
            born,
            female ? "female" : "male");
    }

    /// <summary>999 then six digits and the Modulus 11 check digit: the range NHS England keeps for testing, never issued to anyone.</summary>
    private string NhsNumberInTestRange()
    {
        while (true)
        {
            var first = $"999{random.Next(0, 1_000_000):D6}";
            if (Identifiers.NhsCheckDigit(first) is { } check) return first + check;
        }
    }

    /// <summary>A county destination: a postcode in a district the mappings route, and its delivery unit.</summary>
    private (string Postcode, string Pdu) CountyDestination()
    {
        var authority = PickWeighted(mappings.LocalAuthorities.Values.Select(la => (la, la.Name.StartsWith("West", StringComparison.Ordinal) ? 6 : 4)).ToArray());
        var district = Pick(authority.PostcodeDistricts.ToArray());
        var postcode = $"{district} {random.Next(1, 10)}{(char)('A' + random.Next(0, 26))}{(char)('A' + random.Next(0, 26))}";
        return (postcode, authority.Name.StartsWith("West", StringComparison.Ordinal) ? WestPdu : NorthPdu);
    }

    private Guid NewGuid()
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)(bytes[7] & 0x0F | 0x40); // version 4
        bytes[8] = (byte)(bytes[8] & 0x3F | 0x80);
        return new Guid(bytes);
    }

    private int Poisson(double mean)
    {
        var limit = Math.Exp(-mean);
        var (count, product) = (0, random.NextDouble());
        while (product > limit)
        {
            count++;
            product *= random.NextDouble();
        }
        return count;
    }

    private T Pick<T>(T[] items) => items[random.Next(items.Length)];

    private T PickWeighted<T>((T Item, int Weight)[] items)
    {
        var roll = random.Next(items.Sum(i => i.Weight));
        foreach (var (item, weight) in items)
        {
            if (roll < weight) return item;
            roll -= weight;
        }
        return items[^1].Item;
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
