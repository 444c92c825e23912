//! The geography of Stockholm County: municipalities, post towns, postal-code
//! ranges and SWEREF 99 TM positions.
//!
//! Codes and names of the municipalities are the real ones. Populations are
//! rounded 2024 figures; they only steer how many places each municipality
//! gets. Post towns and their postal-code ranges follow the real pattern
//! (three-digit prefix per area, last two digits for the delivery district)
//! but the exact ranges are approximations. Positions are approximate town
//! centres converted to SWEREF 99 TM, good to a kilometre or two.

/// A municipality (kommun) with the box its coordinates are kept inside.
#[derive(Debug)]
pub(crate) struct Municipality {
    pub(crate) code: &'static str,
    pub(crate) name: &'static str,
    pub(crate) population: u32,
    /// 0 (city) ..= 100 (countryside). Rural areas have address areas
    /// without numbers and distance-based numbering more often.
    pub(crate) rurality: u8,
    /// Northing range in metres, inclusive.
    pub(crate) north: (u32, u32),
    /// Easting range in metres, inclusive.
    pub(crate) east: (u32, u32),
    pub(crate) towns: &'static [PostTown],
}

/// A post town (postort) inside one municipality.
#[derive(Debug)]
pub(crate) struct PostTown {
    pub(crate) name: &'static str,
    /// Relative share of the municipality's places.
    pub(crate) weight: u32,
    /// Where its postal districts lie unless a range says otherwise.
    pub(crate) area: Area,
    pub(crate) codes: &'static [CodeRange],
}

/// A disc: centre (northing, easting) and radius, in metres.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Area {
    pub(crate) north: u32,
    pub(crate) east: u32,
    pub(crate) radius: u32,
}

/// Postal codes `prefix first ..= prefix last`, e.g. 111 20 ..= 111 64.
#[derive(Debug)]
pub(crate) struct CodeRange {
    pub(crate) prefix: u16,
    pub(crate) first: u8,
    pub(crate) last: u8,
    /// Inner-city prefixes are whole districts (111 City, 112 Kungsholmen,
    /// ...), so they get their own position; `None` uses the town's.
    pub(crate) area: Option<Area>,
}

impl CodeRange {
    fn len(&self) -> usize {
        usize::from(self.last - self.first) + 1
    }
}

impl PostTown {
    /// How many postal codes the town's ranges hold.
    pub(crate) fn code_count(&self) -> usize {
        self.codes.iter().map(CodeRange::len).sum()
    }

    /// The `index`th postal code (ascending, as five digits) and its area.
    pub(crate) fn code_at(&self, mut index: usize) -> (u32, Area) {
        for range in self.codes {
            if index < range.len() {
                let code = u32::from(range.prefix) * 100 + u32::from(range.first) + index as u32;
                return (code, range.area.unwrap_or(self.area));
            }
            index -= range.len();
        }
        // Callers stay below `code_count`; falling back to the last code keeps
        // this total without a panic path.
        let last = &self.codes[self.codes.len() - 1];
        (
            u32::from(last.prefix) * 100 + u32::from(last.last),
            last.area.unwrap_or(self.area),
        )
    }
}

impl Municipality {
    pub(crate) fn is_stockholm(&self) -> bool {
        self.code == "0180"
    }
}

const fn at(north: u32, east: u32, radius: u32) -> Area {
    Area {
        north,
        east,
        radius,
    }
}

const fn r(prefix: u16, first: u8, last: u8) -> CodeRange {
    CodeRange {
        prefix,
        first,
        last,
        area: None,
    }
}

const fn ra(prefix: u16, first: u8, last: u8, area: Area) -> CodeRange {
    CodeRange {
        prefix,
        first,
        last,
        area: Some(area),
    }
}

const fn town(
    name: &'static str,
    weight: u32,
    area: Area,
    codes: &'static [CodeRange],
) -> PostTown {
    PostTown {
        name,
        weight,
        area,
        codes,
    }
}

/// All 26 municipalities of Stockholm County, in code order (which is also
/// the order of the output).
pub(crate) const MUNICIPALITIES: [Municipality; 26] = [
    Municipality {
        code: "0114",
        name: "Upplands Väsby",
        population: 48_500,
        rurality: 15,
        north: (6_596_000, 6_608_000),
        east: (657_000, 670_000),
        towns: &[town(
            "Upplands Väsby",
            1,
            at(6_601_700, 664_600, 3_000),
            &[r(194, 30, 79)],
        )],
    },
    Municipality {
        code: "0115",
        name: "Vallentuna",
        population: 35_500,
        rurality: 50,
        north: (6_598_000, 6_625_000),
        east: (665_000, 692_000),
        towns: &[
            town(
                "Vallentuna",
                85,
                at(6_603_400, 674_300, 3_000),
                &[r(186, 30, 70)],
            ),
            town(
                "Brottby",
                15,
                at(6_607_300, 683_800, 4_000),
                &[r(186, 91, 97)],
            ),
        ],
    },
    Municipality {
        code: "0117",
        name: "Österåker",
        population: 48_000,
        rurality: 50,
        north: (6_590_000, 6_612_000),
        east: (680_000, 712_000),
        towns: &[
            town(
                "Åkersberga",
                88,
                at(6_597_300, 687_200, 3_000),
                &[r(184, 30, 70)],
            ),
            town(
                "Ljusterö",
                12,
                at(6_601_700, 704_000, 4_000),
                &[r(184, 95, 97)],
            ),
        ],
    },
    Municipality {
        code: "0120",
        name: "Värmdö",
        population: 47_500,
        rurality: 60,
        north: (6_568_000, 6_592_000),
        east: (685_000, 720_000),
        towns: &[
            town(
                "Gustavsberg",
                40,
                at(6_580_300, 691_600, 2_000),
                &[r(134, 30, 44)],
            ),
            town(
                "Ingarö",
                20,
                at(6_573_100, 695_100, 3_000),
                &[r(134, 60, 69)],
            ),
            town(
                "Värmdö",
                40,
                at(6_579_200, 700_700, 6_000),
                &[r(139, 30, 56)],
            ),
        ],
    },
    Municipality {
        code: "0123",
        name: "Järfälla",
        population: 85_500,
        rurality: 5,
        north: (6_585_000, 6_596_000),
        east: (655_000, 666_000),
        towns: &[town(
            "Järfälla",
            1,
            at(6_590_600, 660_600, 3_000),
            &[r(175, 39, 79), r(176, 30, 77), r(177, 30, 72)],
        )],
    },
    Municipality {
        code: "0125",
        name: "Ekerö",
        population: 29_000,
        rurality: 60,
        north: (6_565_000, 6_592_000),
        east: (643_000, 665_000),
        towns: &[
            town(
                "Ekerö",
                65,
                at(6_576_100, 659_900, 4_000),
                &[r(178, 30, 54)],
            ),
            town(
                "Stenhamra",
                20,
                at(6_581_100, 653_100, 3_000),
                &[r(179, 60, 65)],
            ),
            town(
                "Färentuna",
                15,
                at(6_587_200, 650_700, 3_000),
                &[r(179, 95, 98)],
            ),
        ],
    },
    Municipality {
        code: "0126",
        name: "Huddinge",
        population: 116_000,
        rurality: 15,
        north: (6_560_000, 6_577_000),
        east: (662_000, 682_000),
        towns: &[
            town(
                "Huddinge",
                62,
                at(6_570_200, 669_800, 2_500),
                &[r(141, 30, 65)],
            ),
            town(
                "Segeltorp",
                8,
                at(6_573_900, 668_000, 1_200),
                &[r(141, 70, 74)],
            ),
            town(
                "Skogås",
                14,
                at(6_568_300, 679_400, 1_500),
                &[r(142, 40, 53)],
            ),
            town(
                "Trångsund",
                6,
                at(6_569_400, 678_300, 1_000),
                &[r(142, 60, 66)],
            ),
            town(
                "Vårby",
                10,
                at(6_573_400, 663_900, 1_000),
                &[r(143, 30, 45)],
            ),
        ],
    },
    Municipality {
        code: "0127",
        name: "Botkyrka",
        population: 96_000,
        rurality: 20,
        north: (6_552_000, 6_575_000),
        east: (650_000, 668_000),
        towns: &[
            town(
                "Norsborg",
                30,
                at(6_571_100, 661_000, 2_000),
                &[r(145, 50, 72)],
            ),
            town(
                "Tullinge",
                22,
                at(6_566_700, 665_100, 2_000),
                &[r(146, 30, 54)],
            ),
            town(
                "Tumba",
                38,
                at(6_566_100, 661_100, 2_500),
                &[r(147, 30, 54)],
            ),
            town(
                "Grödinge",
                10,
                at(6_561_700, 656_600, 3_000),
                &[r(147, 91, 92)],
            ),
        ],
    },
    Municipality {
        code: "0128",
        name: "Salem",
        population: 17_500,
        rurality: 25,
        north: (6_560_000, 6_570_000),
        east: (651_000, 660_000),
        towns: &[
            town(
                "Rönninge",
                60,
                at(6_565_600, 656_500, 1_500),
                &[r(144, 30, 44)],
            ),
            town(
                "Salem",
                40,
                at(6_566_100, 657_600, 1_500),
                &[r(144, 60, 64)],
            ),
        ],
    },
    Municipality {
        code: "0136",
        name: "Haninge",
        population: 98_000,
        rurality: 35,
        north: (6_540_000, 6_570_000),
        east: (670_000, 700_000),
        towns: &[
            town(
                "Handen",
                30,
                at(6_562_600, 679_300, 2_000),
                &[r(136, 30, 49)],
            ),
            town(
                "Haninge",
                30,
                at(6_565_000, 679_800, 2_500),
                &[r(136, 50, 69)],
            ),
            town(
                "Jordbro",
                10,
                at(6_559_600, 678_200, 1_200),
                &[r(136, 70, 75)],
            ),
            town(
                "Västerhaninge",
                18,
                at(6_557_300, 677_200, 2_500),
                &[r(137, 30, 45)],
            ),
            town(
                "Tungelsta",
                6,
                at(6_555_100, 674_400, 1_500),
                &[r(137, 55, 57)],
            ),
            town(
                "Dalarö",
                6,
                at(6_558_800, 694_400, 2_000),
                &[r(137, 70, 73)],
            ),
        ],
    },
    Municipality {
        code: "0138",
        name: "Tyresö",
        population: 49_000,
        rurality: 20,
        north: (6_563_000, 6_577_000),
        east: (678_000, 691_000),
        towns: &[town(
            "Tyresö",
            1,
            at(6_570_600, 684_200, 3_000),
            &[r(135, 30, 69)],
        )],
    },
    Municipality {
        code: "0139",
        name: "Upplands-Bro",
        population: 31_000,
        rurality: 45,
        north: (6_590_000, 6_610_000),
        east: (640_000, 660_000),
        towns: &[
            town(
                "Kungsängen",
                50,
                at(6_597_300, 656_400, 2_500),
                &[r(196, 30, 40)],
            ),
            town("Bro", 50, at(6_600_600, 649_900, 2_500), &[r(197, 30, 41)]),
        ],
    },
    Municipality {
        code: "0140",
        name: "Nykvarn",
        population: 11_500,
        rurality: 55,
        north: (6_552_000, 6_572_000),
        east: (630_000, 645_000),
        towns: &[town(
            "Nykvarn",
            1,
            at(6_563_900, 638_500, 2_500),
            &[r(155, 30, 35)],
        )],
    },
    Municipality {
        code: "0160",
        name: "Täby",
        population: 75_000,
        rurality: 10,
        north: (6_588_000, 6_600_000),
        east: (669_000, 680_000),
        towns: &[town(
            "Täby",
            1,
            at(6_593_400, 674_400, 3_000),
            &[r(183, 30, 79), r(187, 30, 77)],
        )],
    },
    Municipality {
        code: "0162",
        name: "Danderyd",
        population: 33_000,
        rurality: 5,
        north: (6_585_000, 6_593_000),
        east: (669_000, 677_000),
        towns: &[
            town(
                "Danderyd",
                35,
                at(6_588_400, 672_000, 1_500),
                &[r(182, 30, 39)],
            ),
            town(
                "Enebyberg",
                20,
                at(6_591_100, 673_300, 1_200),
                &[r(182, 45, 57)],
            ),
            town(
                "Djursholm",
                30,
                at(6_587_800, 674_900, 1_200),
                &[r(182, 60, 69)],
            ),
            town(
                "Stocksund",
                15,
                at(6_586_700, 672_600, 1_000),
                &[r(182, 70, 79)],
            ),
        ],
    },
    Municipality {
        code: "0163",
        name: "Sollentuna",
        population: 76_000,
        rurality: 5,
        north: (6_586_000, 6_598_000),
        east: (661_000, 671_000),
        towns: &[town(
            "Sollentuna",
            1,
            at(6_591_700, 666_800, 3_000),
            &[r(191, 30, 78), r(192, 30, 78)],
        )],
    },
    Municipality {
        code: "0180",
        name: "Stockholm",
        population: 988_000,
        rurality: 0,
        north: (6_568_000, 6_592_000),
        east: (657_000, 683_000),
        towns: &[
            town(
                "Stockholm",
                30,
                at(6_580_500, 674_000, 3_500),
                &[
                    ra(111, 20, 64, at(6_580_900, 674_200, 800)),
                    ra(112, 20, 69, at(6_580_600, 672_300, 1_000)),
                    ra(113, 20, 69, at(6_582_200, 673_200, 1_000)),
                    ra(114, 18, 60, at(6_581_500, 675_200, 800)),
                    ra(115, 20, 60, at(6_582_300, 676_000, 1_000)),
                    ra(116, 20, 68, at(6_578_900, 675_000, 800)),
                    ra(117, 20, 69, at(6_578_600, 672_600, 1_000)),
                    ra(118, 20, 66, at(6_579_000, 673_800, 800)),
                    ra(120, 30, 79, at(6_577_700, 675_600, 800)),
                ],
            ),
            town(
                "Johanneshov",
                4,
                at(6_576_700, 675_200, 1_500),
                &[r(121, 30, 77)],
            ),
            town(
                "Enskede",
                5,
                at(6_575_000, 674_600, 1_500),
                &[r(122, 31, 64)],
            ),
            town(
                "Farsta",
                6,
                at(6_571_100, 675_900, 2_000),
                &[r(123, 31, 73)],
            ),
            town(
                "Bandhagen",
                5,
                at(6_573_400, 673_000, 1_500),
                &[r(124, 30, 73)],
            ),
            town(
                "Älvsjö",
                5,
                at(6_575_000, 670_800, 1_500),
                &[r(125, 30, 74)],
            ),
            town(
                "Hägersten",
                8,
                at(6_577_200, 669_600, 2_000),
                &[r(126, 25, 79), r(129, 30, 49)],
            ),
            town(
                "Skärholmen",
                4,
                at(6_574_500, 665_600, 2_000),
                &[r(127, 30, 65)],
            ),
            town(
                "Skarpnäck",
                4,
                at(6_573_900, 678_000, 2_000),
                &[r(128, 30, 66)],
            ),
            town(
                "Bromma",
                12,
                at(6_581_700, 667_500, 2_500),
                &[r(161, 30, 58), r(167, 30, 76), r(168, 30, 76)],
            ),
            town(
                "Vällingby",
                4,
                at(6_584_500, 663_400, 1_500),
                &[r(162, 30, 71)],
            ),
            town(
                "Spånga",
                5,
                at(6_586_700, 665_100, 2_000),
                &[r(163, 30, 72)],
            ),
            town("Kista", 3, at(6_588_900, 667_400, 1_500), &[r(164, 30, 79)]),
            town(
                "Hässelby",
                5,
                at(6_585_000, 660_500, 2_000),
                &[r(165, 55, 78)],
            ),
        ],
    },
    Municipality {
        code: "0181",
        name: "Södertälje",
        population: 104_000,
        rurality: 35,
        north: (6_540_000, 6_575_000),
        east: (635_000, 660_000),
        towns: &[
            town(
                "Södertälje",
                78,
                at(6_565_600, 649_600, 3_000),
                &[r(151, 30, 73), r(152, 40, 72)],
            ),
            town(
                "Järna",
                14,
                at(6_554_000, 646_600, 2_000),
                &[r(153, 30, 38)],
            ),
            town("Hölö", 8, at(6_547_300, 644_400, 2_000), &[r(153, 70, 72)]),
        ],
    },
    Municipality {
        code: "0182",
        name: "Nacka",
        population: 109_000,
        rurality: 15,
        north: (6_572_000, 6_584_000),
        east: (676_000, 692_000),
        towns: &[
            town(
                "Nacka",
                50,
                at(6_578_400, 679_200, 2_000),
                &[r(131, 30, 72)],
            ),
            town(
                "Saltsjö-Boo",
                35,
                at(6_579_600, 684_600, 2_500),
                &[r(132, 30, 54)],
            ),
            town(
                "Saltsjöbaden",
                15,
                at(6_575_700, 687_000, 1_500),
                &[r(133, 30, 44)],
            ),
        ],
    },
    Municipality {
        code: "0183",
        name: "Sundbyberg",
        population: 55_000,
        rurality: 0,
        north: (6_582_000, 6_588_000),
        east: (665_000, 671_000),
        towns: &[town(
            "Sundbyberg",
            1,
            at(6_584_500, 668_100, 1_500),
            &[r(172, 30, 79), r(174, 40, 79)],
        )],
    },
    Municipality {
        code: "0184",
        name: "Solna",
        population: 85_000,
        rurality: 0,
        north: (6_580_000, 6_590_000),
        east: (666_000, 673_000),
        towns: &[town(
            "Solna",
            1,
            at(6_584_000, 670_100, 2_000),
            &[r(169, 30, 75), r(170, 60, 79), r(171, 41, 79)],
        )],
    },
    Municipality {
        code: "0186",
        name: "Lidingö",
        population: 48_000,
        rurality: 10,
        north: (6_580_000, 6_588_000),
        east: (675_000, 686_000),
        towns: &[town(
            "Lidingö",
            1,
            at(6_584_500, 678_600, 3_000),
            &[r(181, 30, 66)],
        )],
    },
    Municipality {
        code: "0187",
        name: "Vaxholm",
        population: 12_000,
        rurality: 40,
        north: (6_585_000, 6_592_000),
        east: (686_000, 694_000),
        towns: &[town(
            "Vaxholm",
            1,
            at(6_588_400, 689_000, 2_000),
            &[r(185, 30, 95)],
        )],
    },
    Municipality {
        code: "0188",
        name: "Norrtälje",
        population: 64_000,
        rurality: 80,
        north: (6_600_000, 6_680_000),
        east: (675_000, 730_000),
        towns: &[
            town(
                "Norrtälje",
                52,
                at(6_628_200, 707_400, 3_000),
                &[r(761, 30, 75)],
            ),
            town(
                "Rimbo",
                14,
                at(6_626_700, 688_500, 2_000),
                &[r(762, 30, 41)],
            ),
            town(
                "Hallstavik",
                10,
                at(6_660_600, 700_000, 2_000),
                &[r(763, 30, 36)],
            ),
            town(
                "Älmsta",
                8,
                at(6_651_700, 713_400, 3_000),
                &[r(764, 30, 35)],
            ),
            town(
                "Grisslehamn",
                6,
                at(6_666_200, 712_000, 2_000),
                &[r(764, 50, 56)],
            ),
            town(
                "Blidö",
                10,
                at(6_612_800, 718_700, 3_000),
                &[r(760, 31, 36)],
            ),
        ],
    },
    Municipality {
        code: "0191",
        name: "Sigtuna",
        population: 52_000,
        rurality: 35,
        north: (6_604_000, 6_625_000),
        east: (648_000, 672_000),
        towns: &[
            town(
                "Märsta",
                70,
                at(6_612_800, 661_600, 3_000),
                &[r(195, 30, 72)],
            ),
            town(
                "Sigtuna",
                22,
                at(6_612_400, 653_800, 2_000),
                &[r(193, 28, 37)],
            ),
            town(
                "Rosersberg",
                8,
                at(6_608_400, 662_800, 1_500),
                &[r(195, 95, 96)],
            ),
        ],
    },
    Municipality {
        code: "0192",
        name: "Nynäshamn",
        population: 29_500,
        rurality: 50,
        north: (6_520_000, 6_548_000),
        east: (655_000, 685_000),
        towns: &[
            town(
                "Nynäshamn",
                70,
                at(6_532_800, 669_600, 2_000),
                &[r(149, 30, 53)],
            ),
            town("Ösmo", 18, at(6_542_200, 666_600, 2_000), &[r(148, 30, 33)]),
            town(
                "Sorunda",
                12,
                at(6_543_900, 662_000, 3_000),
                &[r(148, 60, 61)],
            ),
        ],
    },
];

/// Splits `total` into parts proportional to `weights` that add up to exactly
/// `total` (largest-remainder method; ties go to the earlier entry so the
/// result is deterministic).
pub(crate) fn apportion(total: usize, weights: &[u32]) -> Vec<usize> {
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given = 0usize;
    for (i, &w) in weights.iter().enumerate() {
        // u128 so that `total * weight` cannot overflow for any usize total.
        let exact = total as u128 * u128::from(w);
        let part = (exact / sum) as usize;
        parts.push(part);
        remainders.push((exact % sum, i));
        given += part;
    }
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take(total - given) {
        parts[i] += 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_adds_up_and_follows_weights() {
        for total in [0, 1, 2, 7, 1_000, 1_000_003] {
            let parts = apportion(total, &[3, 1, 0, 6]);
            assert_eq!(parts.iter().sum::<usize>(), total);
            assert_eq!(parts[2], 0);
        }
        assert_eq!(apportion(10, &[1, 1]), vec![5, 5]);
        assert_eq!(apportion(3, &[1, 1]), vec![2, 1]);
    }

    #[test]
    fn municipalities_are_the_26_of_stockholm_county() {
        let codes: Vec<&str> = MUNICIPALITIES.iter().map(|m| m.code).collect();
        assert_eq!(codes.len(), 26);
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, codes, "codes unique and in ascending order");
        let total: u32 = MUNICIPALITIES.iter().map(|m| m.population).sum();
        let stockholm = MUNICIPALITIES.iter().find(|m| m.is_stockholm()).unwrap();
        let share = f64::from(stockholm.population) / f64::from(total);
        assert!((0.38..0.43).contains(&share), "{share}");
    }

    #[test]
    fn postal_codes_are_disjoint_valid_and_positions_plausible() {
        let mut all: Vec<u32> = Vec::new();
        for m in &MUNICIPALITIES {
            assert!(m.north.0 < m.north.1 && m.east.0 < m.east.1);
            assert!(
                m.north.0 >= 6_520_000 && m.north.1 <= 6_680_000,
                "{}",
                m.name
            );
            assert!(m.east.0 >= 630_000 && m.east.1 <= 730_000, "{}", m.name);
            assert!(!m.towns.is_empty());
            for t in m.towns {
                assert!(t.weight > 0);
                for range in t.codes {
                    assert!(range.first <= range.last && range.last <= 99);
                    assert!((100..=999).contains(&range.prefix));
                    let area = range.area.unwrap_or(t.area);
                    assert!(
                        (m.north.0..=m.north.1).contains(&area.north)
                            && (m.east.0..=m.east.1).contains(&area.east),
                        "{} centre outside {}",
                        t.name,
                        m.name
                    );
                }
                for i in 0..t.code_count() {
                    all.push(t.code_at(i).0);
                }
            }
        }
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "a postal code belongs to one post town only");
        assert!(all.iter().all(|&c| (10_000..100_000).contains(&c)));
    }

    #[test]
    fn code_at_walks_the_ranges_in_order() {
        let solna = MUNICIPALITIES.iter().find(|m| m.code == "0184").unwrap();
        let t = &solna.towns[0];
        assert_eq!(t.code_at(0).0, 16_930);
        assert_eq!(t.code_at(46).0, 17_060);
        assert_eq!(t.code_at(t.code_count() - 1).0, 17_179);
    }
}
