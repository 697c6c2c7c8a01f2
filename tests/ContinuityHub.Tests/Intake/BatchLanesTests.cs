using System.Text.Json;
using ContinuityHub.Features.Releases;

namespace ContinuityHub.Tests.Intake;

/// <summary>How a batch's rows are grouped for taking in at once (no database).</summary>
public sealed class BatchLanesTests
{
    private static JsonElement Row(string? noms, string? notificationId) => JsonSerializer.SerializeToElement(new
    {
        notificationId,
        person = new { nomsNumber = noms },
    });

    [Fact]
    public void Rows_about_one_person_form_one_group_in_file_order_whatever_the_case_and_spaces()
    {
        var groups = BatchLanes.GroupByPerson([Row("A1234BC", "1"), Row("B1234BC", "2"), Row(" a1234bc ", "3"), Row("C1234BC", "4"), Row("A1234BC", "5")]);

        Assert.Equal([[0, 2, 4], [1], [3]], groups.Select(g => g.ToArray()));
    }

    [Fact]
    public void A_notificationId_used_twice_joins_the_groups_of_both_people()
    {
        var id = Guid.NewGuid().ToString();
        var groups = BatchLanes.GroupByPerson([Row("A1234BC", id), Row("B1234BC", "2"), Row("C1234BC", id.ToUpperInvariant()), Row("C1234BC", "4"), Row("D1234BC", "5")]);

        Assert.Equal([[0, 2, 3], [1], [4]], groups.Select(g => g.ToArray()));
    }

    [Fact]
    public void Rows_without_a_person_or_an_id_each_stand_alone()
    {
        var groups = BatchLanes.GroupByPerson([Row(null, null), JsonSerializer.SerializeToElement(new[] { 1 }), Row(null, null)]);

        Assert.Equal([[0], [1], [2]], groups.Select(g => g.ToArray()));
    }
}
