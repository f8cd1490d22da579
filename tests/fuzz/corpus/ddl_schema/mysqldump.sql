-- MySQL dump 10.13
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
USE `shop`;
DROP TABLE IF EXISTS `orders`;
CREATE TABLE `orders` (
  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `status` enum('new','it''s paid','a\'b') NOT NULL,
  `flags` set('x','y') DEFAULT NULL,
  `note` varchar(20) COLLATE latin1_bin DEFAULT 'x, y' COMMENT 'a ( b',
  PRIMARY KEY (`id`, `note`(4)),
  UNIQUE KEY `uk` (`status`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;
