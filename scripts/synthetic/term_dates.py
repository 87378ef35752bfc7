"""English school holidays (a typical West Midlands LA calendar) and school days."""

import numpy as np

# (first day, last day, description); inclusive, covering 2021 to the start of 2025.
HOLIDAYS = (
    ("2020-12-19", "2021-01-04", "Christmas holiday 2020/21"),
    ("2021-02-15", "2021-02-19", "February half-term 2021"),
    ("2021-03-29", "2021-04-09", "Easter holiday 2021"),
    ("2021-05-31", "2021-06-04", "May half-term 2021"),
    ("2021-07-21", "2021-09-01", "Summer holiday 2021"),
    ("2021-10-25", "2021-10-29", "October half-term 2021"),
    ("2021-12-20", "2022-01-03", "Christmas holiday 2021/22"),
    ("2022-02-21", "2022-02-25", "February half-term 2022"),
    ("2022-04-11", "2022-04-22", "Easter holiday 2022"),
    ("2022-05-30", "2022-06-03", "May half-term 2022"),
    ("2022-07-22", "2022-09-02", "Summer holiday 2022"),
    ("2022-10-24", "2022-10-28", "October half-term 2022"),
    ("2022-12-19", "2023-01-02", "Christmas holiday 2022/23"),
    ("2023-02-13", "2023-02-17", "February half-term 2023"),
    ("2023-04-03", "2023-04-14", "Easter holiday 2023"),
    ("2023-05-29", "2023-06-02", "May half-term 2023"),
    ("2023-07-24", "2023-09-01", "Summer holiday 2023"),
    ("2023-10-30", "2023-11-03", "October half-term 2023"),
    ("2023-12-22", "2024-01-05", "Christmas holiday 2023/24"),
    ("2024-02-12", "2024-02-16", "February half-term 2024"),
    ("2024-03-29", "2024-04-12", "Easter holiday 2024"),
    ("2024-05-27", "2024-05-31", "May half-term 2024"),
    ("2024-07-23", "2024-09-02", "Summer holiday 2024"),
    ("2024-10-28", "2024-11-01", "October half-term 2024"),
    ("2024-12-23", "2025-01-03", "Christmas holiday 2024/25"),
)


def school_days(days: np.ndarray) -> np.ndarray:
    """True for weekdays outside the holidays (days: datetime64[D])."""
    weekday = ((days.astype(np.int64) + 3) % 7) < 5  # 1970-01-01 was a Thursday
    holiday = np.zeros(len(days), dtype=bool)
    for start, end, _ in HOLIDAYS:
        holiday |= (days >= np.datetime64(start)) & (days <= np.datetime64(end))
    return weekday & ~holiday
