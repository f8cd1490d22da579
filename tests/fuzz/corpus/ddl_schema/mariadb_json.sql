CREATE TABLE `docs` (
  `id` int(11) NOT NULL,
  `a` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK (json_valid(`a`)),
  `b` json,
  `k` int key,
  PERIOD FOR p (s, e),
  CONSTRAINT `c` CHECK (json_valid(`b`))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
create or replace temporary table if not exists db.t2 (x serial, y char(2) character set binary) charset = ascii;
