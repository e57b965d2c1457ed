// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title SanctionsList — joint punishment of enterprises that falsify data or evade loans (seeds R9).
/// @notice Regulators list and lift sanctions on enterprise pseudonyms (never raw credit codes),
///         with a reason; the access gate and the oracle refuse to serve a listed enterprise.
/// @dev No immutables (deployed code must equal the artifact).
contract SanctionsList {
    struct Sanction {
        bool active;
        uint64 since;
        bytes32 reason;
        address by;
    }

    ParticipantRegistry public registry;
    mapping(bytes32 => Sanction) private _sanctions;

    error NotAuthorized(address account, ParticipantRegistry.Role role);
    error AlreadySanctioned(bytes32 subject);
    error NotSanctioned(bytes32 subject);

    event Sanctioned(bytes32 indexed subject, bytes32 reason, address by);
    event Lifted(bytes32 indexed subject, bytes32 reason, address by);

    modifier onlyRegulator() {
        if (!registry.hasRole(msg.sender, ParticipantRegistry.Role.REGULATOR)) {
            revert NotAuthorized(msg.sender, ParticipantRegistry.Role.REGULATOR);
        }
        _;
    }

    constructor(ParticipantRegistry registry_) {
        registry = registry_;
    }

    function sanction(bytes32 subject, bytes32 reason) external onlyRegulator {
        if (_sanctions[subject].active) revert AlreadySanctioned(subject);
        _sanctions[subject] = Sanction(true, uint64(block.timestamp), reason, msg.sender);
        emit Sanctioned(subject, reason, msg.sender);
    }

    function lift(bytes32 subject, bytes32 reason) external onlyRegulator {
        if (!_sanctions[subject].active) revert NotSanctioned(subject);
        _sanctions[subject].active = false;
        emit Lifted(subject, reason, msg.sender);
    }

    function isSanctioned(bytes32 subject) external view returns (bool) {
        return _sanctions[subject].active;
    }

    function sanctionOf(bytes32 subject) external view returns (Sanction memory) {
        return _sanctions[subject];
    }
}
